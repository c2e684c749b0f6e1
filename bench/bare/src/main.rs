//! `bench-bare`: the smallest useful axum server, the reference for `bench/run.sh`.
//!
//! It serves `GET /` with a static HTML page of about 4 KB (the size of a real public page)
//! and nothing else: no state, no database, no templates, no middleware. Whatever the real
//! application costs beyond this is the figure the benchmark reports.
//!
//! Usage: `bench-bare [ADDR]` (default `127.0.0.1:0`). The first line on stdout is
//! `listening on http://ADDR`.

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use std::io::Write;

/// A static page of roughly the size of a rendered public page. The text is filler.
const PAGE: &str = include_str!("page.html");

async fn index() -> Html<&'static str> {
    Html(PAGE)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    let local = listener.local_addr()?;
    let mut out = std::io::stdout();
    writeln!(out, "listening on http://{local}")?;
    out.flush()?;
    let app = Router::new().route("/", get(index));
    axum::serve(listener, app).await
}
