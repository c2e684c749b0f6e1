//! Configuration: a TOML file, then `ANHORIGSTOD_*` environment variables, then command-line
//! flags, each overriding the one before. Loaded once and passed in.

use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    /// "all", or a list of kommunkoder this deployment serves.
    pub municipalities: Option<Municipalities>,
    /// "json" (default) or "pretty".
    pub log_format: Option<String>,
    pub access_log: Option<bool>,
    /// Seconds public content is cached per node.
    pub content_cache_seconds: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Municipalities {
    All(String),
    Only(Vec<String>),
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub const DEFAULT_CONFIG_FILE: &str = "anhorigstod.toml";

/// Reads the file named, or `anhorigstod.toml` in the working folder if it exists.
pub fn load_file(path: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let (path, required) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => (Path::new(DEFAULT_CONFIG_FILE).to_path_buf(), false),
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))
        }
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            Ok(FileConfig::default())
        }
        Err(e) => Err(ConfigError(format!("{}: {e}", path.display()))),
    }
}

/// Parses "all" or "0180,0380" into the served set.
pub fn parse_served(value: &Municipalities) -> Result<web::Served, ConfigError> {
    let list = match value {
        Municipalities::All(s) if s.trim().eq_ignore_ascii_case("all") => {
            return Ok(web::Served::All)
        }
        Municipalities::All(s) => s
            .split(',')
            .map(|x| x.trim().to_owned())
            .collect::<Vec<_>>(),
        Municipalities::Only(v) => v.clone(),
    };
    let mut set = std::collections::HashSet::new();
    for code in list {
        domain::Kommunkod::parse(&code).map_err(|_| {
            ConfigError(format!(
                "municipalities: '{code}' is not a four-digit kommunkod"
            ))
        })?;
        set.insert(code);
    }
    Ok(web::Served::Only(set))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_parsing() {
        assert!(matches!(
            parse_served(&Municipalities::All("all".into())).unwrap(),
            web::Served::All
        ));
        match parse_served(&Municipalities::All("0180, 0380".into())).unwrap() {
            web::Served::Only(s) => assert!(s.contains("0180") && s.contains("0380")),
            web::Served::All => panic!("expected a list"),
        }
        assert!(parse_served(&Municipalities::Only(vec!["18".into()])).is_err());
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<FileConfig>("bnid = \"x\"").is_err());
        let c: FileConfig =
            toml::from_str("bind = \"127.0.0.1:9000\"\nmunicipalities = [\"0180\"]").unwrap();
        assert_eq!(c.bind.as_deref(), Some("127.0.0.1:9000"));
    }
}
