//! One CSV cell, for every export (reports, statistics, the audit log). A spreadsheet runs a
//! cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, so such
//! a cell gets a leading apostrophe and is shown as text; a cell holding the separator, a
//! quote or a line break is quoted.

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `value` as one cell of a CSV file separated by `separator`.
pub fn cell(value: &str, separator: char) -> String {
    let inert = if value.starts_with(FORMULA_START) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if inert.contains([separator, '"', '\n', '\r']) {
        format!("\"{}\"", inert.replace('"', "\"\""))
    } else {
        inert
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn plain_values_stay_as_they_are() {
        assert_eq!(cell("enkel", ';'), "enkel");
        assert_eq!(cell("2026-12-03", ','), "2026-12-03");
        assert_eq!(cell("", ';'), "");
    }

    #[test]
    fn separators_quotes_and_line_breaks_are_quoted() {
        assert_eq!(cell("a;b", ';'), "\"a;b\"");
        assert_eq!(cell("a,b", ','), "\"a,b\"");
        assert_eq!(cell("a,b", ';'), "a,b");
        assert_eq!(cell("säger \"nej\"", ';'), "\"säger \"\"nej\"\"\"");
        assert_eq!(cell("rad\nrad", ','), "\"rad\nrad\"");
    }

    #[test]
    fn every_formula_start_is_made_inert() {
        for (raw, out) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+46701740690", "'+46701740690"),
            ("-2+3", "'-2+3"),
            ("@cmd", "'@cmd"),
            ("\t=1", "'\t=1"),
        ] {
            assert_eq!(cell(raw, ';'), out, "{raw:?}");
        }
        assert_eq!(cell("\r=1", ';'), "\"'\r=1\"");
        assert_eq!(cell("=1,2", ','), "\"'=1,2\"");
    }
}
