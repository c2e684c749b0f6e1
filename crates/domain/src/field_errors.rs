//! What a validator says about a form's fields: field name to Fluent message ids. Every
//! validator in this crate answers with it; the web crate turns it into the error summary, the
//! message beside each field, and the API's `422 {"errors": …}` body.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<&'static str, Vec<&'static str>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// A single error, as a refusal from the store becomes one.
    pub fn one(field: &'static str, message_id: &'static str) -> Self {
        let mut e = Self::new();
        e.add(field, message_id);
        e
    }

    /// Adds a message to a field; a field keeps its messages in the order they were added,
    /// each once (two checks may find the same fault).
    pub fn add(&mut self, field: &'static str, message_id: &'static str) {
        let ids = self.0.entry(field).or_default();
        if !ids.contains(&message_id) {
            ids.push(message_id);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the field has an error (a later check is often moot once an earlier one failed).
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// The field's message ids, none when it has no error.
    pub fn messages(&self, field: &str) -> &[&'static str] {
        self.0.get(field).map_or(&[], Vec::as_slice)
    }

    /// Adds every error of `other` after those already here.
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, ids) in other.0 {
            for id in ids {
                self.add(field, id);
            }
        }
    }

    /// `value` when there are no errors, else the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    /// Every field with its messages, by field name: a stable order for the API's body.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &[&'static str])> + '_ {
        self.0.iter().map(|(f, ids)| (*f, ids.as_slice()))
    }

    /// The fields in a form's `order`, then any others by name: the error summary's order.
    pub fn in_order<'a>(
        &'a self,
        order: &'a [&str],
    ) -> impl Iterator<Item = (&'static str, &'a [&'static str])> + 'a {
        let known = order
            .iter()
            .filter_map(|f| self.0.get_key_value(*f))
            .map(|(f, ids)| (*f, ids.as_slice()));
        known.chain(self.iter().filter(|(f, _)| !order.contains(f)))
    }

    /// The same errors under other field names (a form whose fields carry a prefix).
    pub fn rename(self, name: impl Fn(&'static str) -> &'static str) -> Self {
        let mut out = Self::new();
        for (field, ids) in self.0 {
            for id in ids {
                out.add(name(field), id);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_keeps_messages_per_field_in_order_each_once() {
        let mut e = FieldErrors::new();
        assert!(e.is_empty());
        e.add("name", "error-required");
        e.add("name", "error-too-long");
        e.add("name", "error-required");
        e.add("email", "error-email");
        assert!(!e.is_empty());
        assert!(e.has("name") && e.has("email") && !e.has("phone"));
        assert_eq!(e.messages("name"), ["error-required", "error-too-long"]);
        assert_eq!(e.messages("email"), ["error-email"]);
        assert!(e.messages("phone").is_empty());
    }

    #[test]
    fn merge_appends_and_keeps_both_sides() {
        let mut a = FieldErrors::one("name", "error-required");
        let mut b = FieldErrors::one("name", "error-too-long");
        b.add("name", "error-required");
        b.add("phone", "error-phone");
        a.merge(b);
        assert_eq!(a.messages("name"), ["error-required", "error-too-long"]);
        assert_eq!(a.messages("phone"), ["error-phone"]);
    }

    #[test]
    fn into_result_is_the_value_only_without_errors() {
        assert_eq!(FieldErrors::new().into_result(7), Ok(7));
        let e = FieldErrors::one("date", "error-date-invalid");
        assert_eq!(e.clone().into_result(7), Err(e));
    }

    #[test]
    fn iteration_is_by_name_and_in_order_follows_the_form() {
        let mut e = FieldErrors::new();
        e.add("zeta", "z");
        e.add("consent", "c");
        e.add("name", "n");
        let by_name: Vec<_> = e.iter().map(|(f, _)| f).collect();
        assert_eq!(by_name, ["consent", "name", "zeta"]);
        let ordered: Vec<_> = e.in_order(&["name", "phone", "consent"]).collect();
        assert_eq!(
            ordered,
            [
                ("name", &["n"][..]),
                ("consent", &["c"][..]),
                ("zeta", &["z"][..])
            ]
        );
    }

    #[test]
    fn rename_moves_messages_to_the_new_names() {
        let mut e = FieldErrors::one("given_name", "error-required");
        e.add("family_name", "error-required");
        e.add("mode", "error-unknown-choice");
        let r = e.rename(|f| match f {
            "given_name" | "family_name" => "name",
            f => f,
        });
        assert_eq!(r.messages("name"), ["error-required"]);
        assert_eq!(r.messages("mode"), ["error-unknown-choice"]);
        assert!(!r.has("given_name"));
    }
}
