//! Finding people by name as staff type it: each word typed begins a given or family name
//! ("ber öb" finds Berit Öberg). The first word is a range on the lower-cased name indexes
//! (`persons_family_lower`, `persons_given_lower`), so a search reads only the names that match
//! instead of every person of the municipality.

use crate::db::Backend;

/// The six values a name condition binds, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePrefix {
    values: [String; 6],
}

impl NamePrefix {
    /// The words of `typed`; `None` when nothing was typed.
    pub fn new(typed: &str) -> Option<Self> {
        let mut words = typed.split_whitespace().map(str::to_lowercase);
        let first = words.next()?;
        let (second, second_cap) = match words.next() {
            Some(w) => (format!("{w}%"), format!("{}%", capitalised(&w))),
            None => (String::new(), String::new()),
        };
        let cap = capitalised(&first);
        // U+10FFFF sorts after every character a name can hold: [word, word + U+10FFFF) is
        // every name beginning with the word.
        let (hi, cap_hi) = (format!("{first}\u{10FFFF}"), format!("{cap}\u{10FFFF}"));
        Some(Self {
            values: [first, hi, cap, cap_hi, second, second_cap],
        })
    }

    /// The values, to bind as the parameters given to [`NamePrefix::condition`]: the first
    /// word and its upper bound, the same capitalised, the second word's patterns.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(String::as_str)
    }

    /// The condition on the person `alias` with the six values bound from `$first` on.
    /// SQLite's lower() folds only A-Z, so "Öberg" stays "Öberg": each word is also matched
    /// capitalised, as names are normally written.
    pub fn condition(backend: Backend, alias: &str, first: usize) -> String {
        let collate = match backend {
            Backend::Postgres => " COLLATE \"C\"",
            Backend::Sqlite => "",
        };
        let p = |i: usize| format!("${}", first + i);
        let range = |col: &str, lo: String, hi: String| {
            format!(
                "(lower({alias}.{col}){collate} >= {lo} AND lower({alias}.{col}){collate} < {hi})"
            )
        };
        format!(
            "({} OR {} OR {} OR {}) AND ({second} = '' OR lower({alias}.family_name) LIKE {second} \
             OR lower({alias}.given_name) LIKE {second} OR {alias}.family_name LIKE {second_cap} \
             OR {alias}.given_name LIKE {second_cap})",
            range("family_name", p(0), p(1)),
            range("given_name", p(0), p(1)),
            range("family_name", p(2), p(3)),
            range("given_name", p(2), p(3)),
            second = p(4),
            second_cap = p(5),
        )
    }
}

fn capitalised(word: &str) -> String {
    let mut cs = word.chars();
    cs.next()
        .map(|f| f.to_uppercase().chain(cs).collect::<String>())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_word_is_a_prefix_in_both_spellings() {
        let n = NamePrefix::new("  öberg  ber ").unwrap();
        let v: Vec<&str> = n.values().collect();
        assert_eq!(
            v,
            [
                "öberg",
                "öberg\u{10FFFF}",
                "Öberg",
                "Öberg\u{10FFFF}",
                "ber%",
                "Ber%"
            ]
        );
        assert_eq!(NamePrefix::new("   "), None);
        let anna = NamePrefix::new("anna").unwrap();
        let one: Vec<&str> = anna.values().collect();
        assert_eq!(&one[4..], ["", ""]);
    }

    #[test]
    fn the_condition_numbers_its_parameters_from_the_first() {
        let c = NamePrefix::condition(Backend::Postgres, "n", 3);
        assert!(
            c.contains("lower(n.family_name) COLLATE \"C\" >= $3"),
            "{c}"
        );
        assert!(c.contains("$8"), "{c}");
        assert!(!c.contains("$9") && !c.contains("$2 "), "{c}");
    }
}
