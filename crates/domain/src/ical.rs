//! An iCalendar (RFC 5545) writer for subscribable calendars of occasions.
//!
//! Pure text generation: the caller hands over the events and the stamp, so output is
//! reproducible in tests. Times are local wall times in Europe/Stockholm; the calendar carries
//! its own VTIMEZONE so clients need no time-zone database to place them. Every function is
//! total: no input panics.

use chrono::{DateTime, NaiveDateTime, Utc};

/// The one time zone the platform publishes in (all Swedish municipalities share it).
pub const TZID: &str = "Europe/Stockholm";

/// The media type to serve a calendar with (RFC 5545 section 8.1).
pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";

/// The product identifier, so client bug reports can tell who wrote the file.
pub const PRODID: &str = "-//Anhorigstod//Anhorigstod 1.0//SV";

/// RFC 5545 section 3.1: a content line SHOULD NOT exceed 75 octets, excluding the line break.
const MAX_LINE_OCTETS: usize = 75;

/// One event of a published calendar, e.g. an occasion of an open-support activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalEvent {
    /// Globally unique and stable across changes, e.g. "occasion-17@anhorigstod.0380", so a
    /// client updates its copy instead of adding a second one.
    pub uid: String,
    /// Local wall time in Europe/Stockholm.
    pub start: NaiveDateTime,
    /// Local wall time in Europe/Stockholm.
    pub end: NaiveDateTime,
    pub summary: String,
    /// May be empty (then left out), may contain any text.
    pub description: String,
    /// May be empty (then left out).
    pub location: String,
    pub url: Option<String>,
    /// A cancelled occasion stays in the feed as STATUS:CANCELLED so subscribers see it go.
    pub cancelled: bool,
    /// Bumped when an occasion changes, so clients replace their older copy.
    pub sequence: i64,
    pub last_modified: DateTime<Utc>,
}

/// A whole VCALENDAR named `name` with one VEVENT per event; `stamp` (normally now) becomes
/// every event's DTSTAMP. Lines end in CRLF and are folded at 75 octets.
pub fn calendar(name: &str, events: &[CalEvent], stamp: DateTime<Utc>) -> String {
    let mut out = String::with_capacity(1024 + events.len() * 512);
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, &format!("PRODID:{}", text(PRODID)));
    line(&mut out, "VERSION:2.0");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    line(&mut out, &format!("X-WR-TIMEZONE:{TZID}"));
    vtimezone(&mut out);
    for event in events {
        vevent(&mut out, event, stamp);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// The Europe/Stockholm rules since 1996 (EU summer time): CEST from the last Sunday of March
/// 02:00, CET from the last Sunday of October 03:00. Written out instead of taken from a
/// time-zone database, because the domain crate has none and the rule is stable by EU law.
fn vtimezone(out: &mut String) {
    for l in [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Stockholm",
        "X-LIC-LOCATION:Europe/Stockholm",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        // 1970-03-29 is the last Sunday of March 1970: a conventional, early anchor.
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        // 1970-10-25 is the last Sunday of October 1970.
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        line(out, l);
    }
}

fn vevent(out: &mut String, e: &CalEvent, stamp: DateTime<Utc>) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}", text(&e.uid)));
    line(out, &format!("DTSTAMP:{}", utc(stamp)));
    line(out, &format!("DTSTART;TZID={TZID}:{}", local(e.start)));
    line(out, &format!("DTEND;TZID={TZID}:{}", local(e.end)));
    line(out, &format!("SUMMARY:{}", text(&e.summary)));
    // Left out when empty: an empty property only clutters the client's event view.
    let description = text(&e.description);
    if !description.is_empty() {
        line(out, &format!("DESCRIPTION:{description}"));
    }
    let location = text(&e.location);
    if !location.is_empty() {
        line(out, &format!("LOCATION:{location}"));
    }
    if let Some(url) = &e.url {
        let url = uri(url);
        if !url.is_empty() {
            line(out, &format!("URL:{url}"));
        }
    }
    let status = if e.cancelled {
        "CANCELLED"
    } else {
        "CONFIRMED"
    };
    line(out, &format!("STATUS:{status}"));
    // Sequence numbers start at 0 and only grow (RFC 5545 3.8.7.4); a negative one is a bug
    // upstream that clients would reject or misorder, so it is written as 0.
    line(out, &format!("SEQUENCE:{}", e.sequence.max(0)));
    line(out, &format!("LAST-MODIFIED:{}", utc(e.last_modified)));
    line(out, "END:VEVENT");
}

/// DATE-TIME in UTC ("form #2"), e.g. 20261201T120000Z. Sub-seconds have no place in iCalendar.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// DATE-TIME as local time with a TZID parameter ("form #3"), e.g. 20261201T180000.
fn local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// Escapes a TEXT value (RFC 5545 3.3.11). CR is dropped so CRLF, CR and LF line breaks all
/// become one `\n`; other control characters are dropped because TEXT does not allow them
/// (tab excepted) and a raw one could break a client's parser.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URI value has no escapes; control characters and spaces cannot be part of a URI and a
/// line break would end the content line, so they are dropped.
fn uri(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect()
}

/// Appends one content line, folded (RFC 5545 3.1) so no physical line exceeds 75 octets:
/// a fold is CRLF plus one space, placed only between characters so UTF-8 stays intact.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for ch in content.chars() {
        let n = ch.len_utf8();
        if width + n > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
    use proptest::prelude::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    fn event(uid: &str) -> CalEvent {
        CalEvent {
            uid: uid.to_string(),
            start: at(2026, 12, 1, 18, 0),
            end: at(2026, 12, 1, 20, 0),
            summary: "Anhörigcafé".to_string(),
            description: String::new(),
            location: String::new(),
            url: None,
            cancelled: false,
            sequence: 0,
            last_modified: Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap(),
        }
    }

    fn stamp() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()
    }

    /// Undoes folding as a reader does (RFC 5545 3.1).
    fn unfold(s: &str) -> String {
        s.replace("\r\n ", "")
    }

    /// Undoes `text` for the characters it escapes.
    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') | Some('N') => out.push('\n'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The unfolded value of the first property named `name` (without parameters).
    fn value(cal: &str, name: &str) -> Option<String> {
        unfold(cal)
            .split("\r\n")
            .find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string))
    }

    #[test]
    fn escapes_text_specials() {
        assert_eq!(text("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
        assert_eq!(text("rad ett\r\nrad två\rtre"), "rad ett\\nrad tvåtre");
        assert_eq!(text("kolon: står kvar"), "kolon: står kvar");
        assert_eq!(text("å ä ö Å Ä Ö"), "å ä ö Å Ä Ö");
        assert_eq!(text("bell\u{7}tab\t"), "belltab\t");
    }

    #[test]
    fn uri_drops_line_breaks() {
        assert_eq!(
            uri("https://example.se/a?b=1\r\nX-EVIL:1"),
            "https://example.se/a?b=1X-EVIL:1"
        );
    }

    #[test]
    fn folds_long_swedish_description_and_unfolds_to_original() {
        let description = "Välkommen till anhörigcaféet på Träffpunkt Väståker! Här träffas \
            du som hjälper, stöttar eller vårdar en närstående; vi fikar, pratar och lyssnar på \
            varandra, i lugn och ro.\nAnhörigkonsulenten Åsa Öberg finns på plats: ring gärna \
            före, så ordnar vi avlösning i hemmet under tiden. Ingen anmälan behövs — ta med \
            en vän om du vill. Backslash \\ och semikolon ; och komma , ska klara sig."
            .to_string();
        let mut e = event("occasion-1@anhorigstod.0380");
        e.description = description.clone();
        let cal = calendar("Öppna träffar", &[e], stamp());

        for physical in cal.split("\r\n") {
            assert!(
                physical.len() <= 75,
                "{} octets: {physical:?}",
                physical.len()
            );
        }
        let raw = value(&cal, "DESCRIPTION").unwrap();
        assert!(raw.len() > 3 * 75, "long enough to need several folds");
        assert_eq!(unescape(&raw), description);
    }

    #[test]
    fn folding_never_splits_a_character() {
        // 'ä' is two octets; an odd prefix puts a fold boundary in the middle of one.
        let long = format!("X{}", "ä".repeat(200));
        let mut out = String::new();
        line(&mut out, &long);
        for physical in out.split("\r\n") {
            assert!(physical.len() <= 75);
        }
        assert_eq!(unfold(&out), format!("{long}\r\n"));
    }

    #[test]
    fn short_line_is_not_folded() {
        let mut out = String::new();
        let exactly = "A".repeat(75);
        line(&mut out, &exactly);
        assert_eq!(out, format!("{exactly}\r\n"));
        out.clear();
        line(&mut out, &"A".repeat(76));
        assert_eq!(out, format!("{exactly}\r\n A\r\n"));
    }

    #[test]
    fn every_line_ends_in_crlf() {
        let mut e = event("occasion-2@anhorigstod.0380");
        e.description = "ett\ntvå\r\ntre\rfyra".to_string();
        let cal = calendar("Kalender", &[e.clone(), e], stamp());
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
        assert!(cal.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(!cal.replace("\r\n", "").contains(['\r', '\n']));
    }

    #[test]
    fn header_and_event_properties() {
        let mut e = event("occasion-17@anhorigstod.0380");
        e.location = "Storgatan 1, Uppsala".to_string();
        e.url = Some("https://anhorigstod.example/kommun/0380".to_string());
        e.sequence = 3;
        let cal = calendar("Uppsala; anhörigstöd", &[e], stamp());
        for expected in [
            "PRODID:-//Anhorigstod//Anhorigstod 1.0//SV",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:Uppsala\\; anhörigstöd",
            "X-WR-TIMEZONE:Europe/Stockholm",
            "UID:occasion-17@anhorigstod.0380",
            "DTSTAMP:20261201T120000Z",
            "DTSTART;TZID=Europe/Stockholm:20261201T180000",
            "DTEND;TZID=Europe/Stockholm:20261201T200000",
            "SUMMARY:Anhörigcafé",
            "LOCATION:Storgatan 1\\, Uppsala",
            "URL:https://anhorigstod.example/kommun/0380",
            "STATUS:CONFIRMED",
            "SEQUENCE:3",
            "LAST-MODIFIED:20261120T093000Z",
        ] {
            assert!(
                cal.contains(&format!("\r\n{expected}\r\n")),
                "missing {expected:?} in\n{cal}"
            );
        }
        assert!(
            !cal.contains("DESCRIPTION"),
            "empty description is left out"
        );
    }

    #[test]
    fn empty_optional_fields_are_left_out() {
        let cal = calendar("K", &[event("u@x")], stamp());
        assert!(!cal.contains("\r\nDESCRIPTION"));
        assert!(!cal.contains("\r\nLOCATION"));
        assert!(!cal.contains("\r\nURL"));
    }

    #[test]
    fn cancelled_status() {
        let mut e = event("occasion-3@anhorigstod.0380");
        e.cancelled = true;
        let cal = calendar("K", &[e], stamp());
        assert!(cal.contains("\r\nSTATUS:CANCELLED\r\n"));
        assert!(!cal.contains("CONFIRMED"));
    }

    #[test]
    fn negative_sequence_is_written_as_zero() {
        let mut e = event("u@x");
        e.sequence = -4;
        assert!(calendar("K", &[e], stamp()).contains("\r\nSEQUENCE:0\r\n"));
    }

    #[test]
    fn one_vtimezone_before_the_events() {
        let events = [event("a@x"), event("b@x"), event("c@x")];
        let cal = calendar("K", &events, stamp());
        assert_eq!(cal.matches("BEGIN:VTIMEZONE\r\n").count(), 1);
        assert_eq!(cal.matches("END:VTIMEZONE\r\n").count(), 1);
        assert_eq!(cal.matches("BEGIN:VEVENT\r\n").count(), 3);
        assert_eq!(cal.matches("END:VEVENT\r\n").count(), 3);
        let tz = cal.find("BEGIN:VTIMEZONE").unwrap();
        assert!(tz < cal.find("BEGIN:VEVENT").unwrap());
        assert!(cal.contains("\r\nTZID:Europe/Stockholm\r\n"));
        assert!(cal.contains("\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"));
        assert!(cal.contains("\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"));
    }

    #[test]
    fn no_events_is_still_a_calendar() {
        let cal = calendar("Tom", &[], stamp());
        assert!(cal.contains("END:VTIMEZONE\r\nEND:VCALENDAR\r\n"));
        assert!(!cal.contains("VEVENT"));
    }

    #[test]
    fn timezone_anchors_are_last_sundays() {
        for (m, d) in [(3, 29), (10, 25)] {
            let date = NaiveDate::from_ymd_opt(1970, m, d).unwrap();
            assert_eq!(date.weekday(), Weekday::Sun);
            let week_later = date.checked_add_days(chrono::Days::new(7)).unwrap();
            assert_eq!(week_later.month(), m + 1, "no later Sunday in the month");
        }
    }

    proptest! {
        #[test]
        fn any_text_folds_within_limit_and_round_trips(s in "[\\PC\r\n\t\u{7};,\\\\]{0,400}") {
            let mut e = event("p@x");
            e.description = s.clone();
            let cal = calendar("K", &[e], stamp());
            for physical in cal.split("\r\n") {
                prop_assert!(physical.len() <= 75);
            }
            let back = value(&cal, "DESCRIPTION").map(|v| unescape(&v)).unwrap_or_default();
            let expected: String = s.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
            prop_assert_eq!(back, expected);
        }
    }
}
