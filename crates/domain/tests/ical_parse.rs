//! The iCalendar writer's output, read back by an independent parser (the `icalendar` crate),
//! so escaping, folding and structure are checked against someone else's reading of RFC 5545.
#![allow(clippy::unwrap_used)]

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, TimeZone, Utc};
use domain::ical::{calendar, CalEvent};
use icalendar::parser::{read_calendar, unfold, Component};
use icalendar::{CalendarDateTime, Component as _, DatePerhapsTime, EventStatus};

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, min, 0)
        .unwrap()
}

const DESCRIPTION: &str = "Vi fikar, pratar och lyssnar; alla är välkomna.\n\
    Rad två: å ä ö Å Ä Ö, och ett bakstreck \\ för säkerhets skull. Anhörigkonsulenten \
    Åsa Öberg finns på plats hela kvällen och svarar på frågor om avlösning, \
    anhörigbidrag och stödsamtal; ring gärna före, så ordnar vi avlösning i hemmet.";

fn events() -> Vec<CalEvent> {
    vec![
        CalEvent {
            uid: "occasion-17@anhorigstod.0380".to_string(),
            start: at(2026, 12, 1, 18, 0),
            end: at(2026, 12, 1, 20, 0),
            summary: "Anhörigcafé, Väståker; julfika".to_string(),
            description: DESCRIPTION.to_string(),
            location: "Träffpunkt Väståker, Storgatan 1".to_string(),
            url: Some("https://anhorigstod.example/kommun/0380/traffar/17".to_string()),
            cancelled: false,
            sequence: 2,
            last_modified: Utc.with_ymd_and_hms(2026, 11, 20, 9, 30, 0).unwrap(),
        },
        CalEvent {
            uid: "occasion-18@anhorigstod.0380".to_string(),
            start: at(2026, 7, 14, 13, 30),
            end: at(2026, 7, 14, 15, 0),
            summary: "Sommarpromenad".to_string(),
            description: String::new(),
            location: String::new(),
            url: None,
            cancelled: true,
            sequence: 5,
            last_modified: Utc.with_ymd_and_hms(2026, 7, 1, 8, 0, 0).unwrap(),
        },
    ]
}

fn output() -> String {
    let stamp = Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap();
    calendar("Uppsala: öppna träffar", &events(), stamp)
}

fn prop<'a>(c: &'a Component<'a>, name: &str) -> &'a str {
    let found = c.find_prop(name);
    assert!(found.is_some(), "{name} missing");
    found.unwrap().val.as_str()
}

#[test]
fn output_needs_folding() {
    let out = output();
    assert!(out.contains("\r\n "), "the long description is folded");
    assert!(out.split("\r\n").all(|l| l.len() <= 75));
}

#[test]
fn raw_parser_reads_structure_values_and_parameters() {
    let out = output();
    let unfolded = unfold(&out);
    let cal = read_calendar(&unfolded).unwrap();

    let calname = cal
        .properties
        .iter()
        .find(|p| p.name.as_str() == "X-WR-CALNAME")
        .unwrap();
    assert_eq!(calname.val.as_str(), "Uppsala: öppna träffar");

    let timezones: Vec<_> = cal
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VTIMEZONE")
        .collect();
    assert_eq!(timezones.len(), 1);
    assert_eq!(prop(timezones[0], "TZID"), "Europe/Stockholm");
    let kinds: Vec<_> = timezones[0]
        .components
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(kinds, ["DAYLIGHT", "STANDARD"]);

    let vevents: Vec<_> = cal
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .collect();
    assert_eq!(vevents.len(), 2);
    let input = events();
    for (parsed, given) in vevents.iter().zip(&input) {
        assert_eq!(prop(parsed, "UID"), given.uid);
        assert_eq!(prop(parsed, "SUMMARY"), given.summary);
        let dtstart = parsed.find_prop("DTSTART").unwrap();
        assert_eq!(
            dtstart.val.as_str(),
            given.start.format("%Y%m%dT%H%M%S").to_string()
        );
        let tzid = dtstart.params.iter().find(|p| p.key.as_str() == "TZID");
        assert_eq!(
            tzid.and_then(|p| p.val.as_ref()).map(|v| v.as_str()),
            Some("Europe/Stockholm")
        );
        assert_eq!(prop(parsed, "DTSTAMP"), "20261201T120000Z");
    }
    assert_eq!(prop(vevents[0], "DESCRIPTION"), DESCRIPTION);
    assert_eq!(
        prop(vevents[0], "LOCATION"),
        "Träffpunkt Väståker, Storgatan 1"
    );
    assert_eq!(prop(vevents[0], "STATUS"), "CONFIRMED");
    assert_eq!(prop(vevents[0], "SEQUENCE"), "2");
    assert_eq!(prop(vevents[1], "STATUS"), "CANCELLED");
    assert!(vevents[1].find_prop("DESCRIPTION").is_none());
    assert!(vevents[1].find_prop("LOCATION").is_none());
    assert!(vevents[1].find_prop("URL").is_none());
}

#[test]
fn typed_reader_gets_the_events_back() {
    let cal = icalendar::Calendar::from_str(&output()).unwrap();
    let parsed: Vec<_> = cal.events().collect();
    assert_eq!(parsed.len(), 2);
    let input = events();

    for (p, given) in parsed.iter().zip(&input) {
        assert_eq!(p.get_uid(), Some(given.uid.as_str()));
        assert_eq!(p.get_summary(), Some(given.summary.as_str()));
        assert_eq!(
            p.get_sequence(),
            Some(u32::try_from(given.sequence).unwrap())
        );
        assert_eq!(
            p.get_start(),
            Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone {
                date_time: given.start,
                tzid: "Europe/Stockholm".to_string(),
            }))
        );
        assert_eq!(
            p.get_end(),
            Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone {
                date_time: given.end,
                tzid: "Europe/Stockholm".to_string(),
            }))
        );
    }
    assert_eq!(parsed[0].get_description(), Some(DESCRIPTION));
    assert_eq!(
        parsed[0].get_url(),
        Some("https://anhorigstod.example/kommun/0380/traffar/17")
    );
    assert_eq!(parsed[0].get_status(), Some(EventStatus::Confirmed));
    assert_eq!(parsed[1].get_description(), None);
    assert_eq!(parsed[1].get_status(), Some(EventStatus::Cancelled));
}
