//! Field errors as a form page shows them: each message in the page's language, next to its
//! field and in the error summary at the top, which links to the field. Built from
//! `domain::FieldErrors`, the one type every validator answers with.

use crate::i18n::I18n;
use domain::FieldErrors;

/// One message of the summary.
pub struct FieldError {
    pub field: String,
    /// The id of the element the summary links to: `f-` and the field, unless the page says
    /// otherwise (`anchored`).
    pub anchor: String,
    /// The field's name as the summary says it, before a colon (empty where the page's
    /// summary shows the message alone).
    pub label: String,
    pub message: String,
}

/// The messages of one form, in the form's order.
#[derive(Default)]
pub struct FormErrors(Vec<FieldError>);

impl FormErrors {
    pub fn none() -> Self {
        Self::default()
    }

    /// The fields in `order`, then any others; `label` names a field for the summary.
    pub fn new(
        t: &I18n,
        errors: &FieldErrors,
        order: &[&str],
        label: impl Fn(&str) -> String,
    ) -> Self {
        Self::with_messages(errors, order, label, |_, id| Some(t.get(id)))
    }

    /// As `new`, for a page whose summary shows each message alone.
    pub fn plain(t: &I18n, errors: &FieldErrors, order: &[&str]) -> Self {
        Self::new(t, errors, order, |_| String::new())
    }

    /// As `new`, with the page saying each message (or leaving it out, `None`).
    pub fn with_messages(
        errors: &FieldErrors,
        order: &[&str],
        label: impl Fn(&str) -> String,
        message: impl Fn(&str, &str) -> Option<String>,
    ) -> Self {
        let mut out = Self::none();
        for (field, ids) in errors.in_order(order) {
            for id in ids {
                if let Some(m) = message(field, id) {
                    out.push(field, label(field), m);
                }
            }
        }
        out
    }

    /// A message found before validation (a body too large to read).
    pub fn push(&mut self, field: &str, label: String, message: String) {
        self.0.push(FieldError {
            field: field.to_owned(),
            anchor: format!("f-{field}"),
            label,
            message,
        });
    }

    /// The summary links to the element `anchor` names for each field.
    pub fn anchored(mut self, anchor: impl Fn(&str) -> String) -> Self {
        for e in &mut self.0 {
            e.anchor = anchor(&e.field);
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// The field's messages, as shown next to it; empty when it has none.
    pub fn message(&self, field: &str) -> String {
        self.join(self.0.iter().filter(|e| e.field == field))
    }

    /// Every message, for a page that shows them in one place.
    pub fn all(&self) -> String {
        self.join(self.0.iter())
    }

    fn join<'a>(&self, shown: impl Iterator<Item = &'a FieldError>) -> String {
        shown
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl<'a> IntoIterator for &'a FormErrors {
    type Item = &'a FieldError;
    type IntoIter = std::slice::Iter<'a, FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_the_form_with_labels_and_join_per_field() {
        let Ok(t) = I18n::swedish() else {
            panic!("Swedish texts load");
        };
        let mut e = FieldErrors::new();
        e.add("other", "error-email");
        e.add("name", "error-required");
        e.add("name", "error-too-long");
        let shown = FormErrors::new(&t, &e, &["name", "phone"], |f| format!("[{f}]"));
        let fields: Vec<_> = shown.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "name", "other"]);
        assert_eq!(
            shown.iter().next().map(|e| e.label.as_str()),
            Some("[name]")
        );
        assert_eq!(
            shown.message("name"),
            format!("{} {}", t.get("error-required"), t.get("error-too-long"))
        );
        assert!(shown.has("other") && !shown.has("phone"));
        assert!(shown.message("phone").is_empty());
        assert_eq!(
            shown.all(),
            format!(
                "{} {} {}",
                t.get("error-required"),
                t.get("error-too-long"),
                t.get("error-email")
            )
        );
    }

    #[test]
    fn a_page_may_reword_or_leave_out_a_message() {
        let mut e = FieldErrors::new();
        e.add("name", "error-required");
        e.add("name", "error-name-full");
        let shown = FormErrors::with_messages(
            &e,
            &[],
            |_| String::new(),
            |_, id| (id != "error-required").then(|| id.to_uppercase()),
        );
        assert_eq!(shown.all(), "ERROR-NAME-FULL");
        assert_eq!(
            shown.iter().next().map(|e| e.anchor.as_str()),
            Some("f-name")
        );
        let shown = shown.anchored(|f| format!("form-{f}"));
        assert_eq!(
            shown.iter().next().map(|e| e.anchor.as_str()),
            Some("form-name")
        );
        assert!(FormErrors::none().is_empty());
        let Ok(t) = I18n::swedish() else {
            panic!("Swedish texts load");
        };
        let plain = FormErrors::plain(&t, &e, &["name"]);
        assert!(plain.iter().all(|e| e.label.is_empty()));
        assert_eq!(
            plain.message("name"),
            t.get("error-required") + " " + &t.get("error-name-full")
        );
    }
}
