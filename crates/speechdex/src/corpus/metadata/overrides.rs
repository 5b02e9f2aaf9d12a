//! Values of a metadata file ([`crate::corpus::meta`]) applied to a speech: they win over what
//! the record states and over inference, and the fields they set leave `inferred`.

use super::super::Speech;
use super::super::fields::Field;
use super::dates::{GivenDate, parse_given_date, parse_given_year};
use super::{FieldValue, tags_of};

/// Checks that `value` is valid for `field` (a date or year that parses, not the text).
pub(crate) fn check_override(field: Field, value: &str) -> Result<(), String> {
    match field {
        Field::Date | Field::Published => parse_given_date(value)
            .map(|_| ())
            .ok_or_else(|| format!("{value:?} is not a date (e.g. 2024-03-05, 2024年3月5日)")),
        Field::Year => parse_given_year(value)
            .map(|_| ())
            .ok_or_else(|| format!("{value:?} is not a year (1800 to 2199)")),
        Field::Text => Err("the text cannot be set by a meta file".into()),
        _ => Ok(()),
    }
}

/// Sets `field` of `speech` to `value` (checked by [`check_override`]; an invalid value
/// changes nothing). A date gives the year too; a year that disagrees with the date drops it.
pub(crate) fn apply_override(speech: &mut Speech, field: Field, value: &str) {
    let mut stated = |name: &str| speech.inferred.retain(|n| n != name);
    match field {
        Field::Title => {
            stated("title");
            speech.title = value.to_owned();
        }
        Field::Date => {
            let Some(date) = parse_given_date(value) else { return };
            stated("date");
            stated("year");
            speech.date = date.day().map(|d| d.to_string());
            speech.year = Some(date.year());
        }
        Field::Published => {
            speech.published = parse_given_date(value).map(GivenDate::to_text);
        }
        Field::Year => {
            let Some(year) = parse_given_year(value) else { return };
            stated("year");
            speech.year = Some(year);
            if speech.date.as_deref().is_some_and(|d| !d.starts_with(&format!("{year:04}-"))) {
                speech.date = None;
                speech.inferred.retain(|n| n != "date");
            }
        }
        Field::Tags => speech.tags = tags_of(&FieldValue::Str(value.to_owned())),
        Field::Text => {}
        Field::Speaker
        | Field::Region
        | Field::Venue
        | Field::Kind
        | Field::Source
        | Field::Url => {
            stated(field.name());
            let slot = match field {
                Field::Speaker => &mut speech.speaker,
                Field::Region => &mut speech.region,
                Field::Venue => &mut speech.venue,
                Field::Kind => &mut speech.kind,
                Field::Source => &mut speech.source,
                _ => &mut speech.url,
            };
            *slot = Some(value.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::metadata::{Fields, Origin, build_speech};

    fn inferred_speech() -> Speech {
        let body = "2024年北京市政府工作报告\n——2024年1月21日在北京市第十六届人民代表大会第二次会议上\n\
            北京市市长 殷勇\n各位代表：\n正文。";
        let origin = Origin { id: "a.txt".into(), path: "a.txt", line: None };
        build_speech(origin, Fields::default(), body.to_owned())
    }

    #[test]
    fn overrides_win_and_leave_inferred() {
        let s = inferred_speech();
        assert_eq!(s.inferred, ["title", "date", "year", "kind", "region", "speaker"]);
        let cases: &[(Field, &str, &str)] = &[
            (Field::Speaker, "殷　勇", "speaker"),
            (Field::Kind, "报告", "kind"),
            (Field::Region, "北京", "region"),
            (Field::Title, "新标题", "title"),
        ];
        for &(field, value, name) in cases {
            let mut s = inferred_speech();
            apply_override(&mut s, field, value);
            assert!(!s.inferred.iter().any(|n| n == name), "{name}: {:?}", s.inferred);
            assert_eq!(s.inferred.len(), 5, "{name}");
        }
        let mut s = inferred_speech();
        apply_override(&mut s, Field::Date, "2024/1/22");
        assert_eq!((s.date.as_deref(), s.year), (Some("2024-01-22"), Some(2024)));
        assert_eq!(s.inferred, ["title", "kind", "region", "speaker"]);
        // A year that disagrees with the inferred date drops the date.
        let mut s = inferred_speech();
        apply_override(&mut s, Field::Year, "2023");
        assert_eq!((s.date, s.year), (None, Some(2023)));
        assert_eq!(s.inferred, ["title", "kind", "region", "speaker"]);
        // A date to the month: the year, no day.
        let mut s = inferred_speech();
        apply_override(&mut s, Field::Date, "2023年5月");
        assert_eq!((s.date, s.year), (None, Some(2023)));
        let mut s = inferred_speech();
        apply_override(&mut s, Field::Tags, "经济，科技");
        assert_eq!(s.tags, ["经济", "科技"]);
        assert!(check_override(Field::Date, "someday").is_err());
        assert!(check_override(Field::Year, "99999").is_err());
        assert!(check_override(Field::Text, "x").is_err());
        assert!(check_override(Field::Speaker, "任何人").is_ok());
    }
}
