//! `format` assertions: `uuid`, `date-time`, `date`, `time`, `duration`,
//! `email`, `hostname`, `ipv4`, `ipv6`, `uri`, `uri-reference`,
//! `json-pointer`, with the rules `jsonschema` applies (RFC 3339 with leap
//! seconds and its appendix A durations, RFC 4122 hyphenated UUIDs, RFC 5321
//! addresses, RFC 1123 host names, RFC 2673 / RFC 4291 addresses, RFC 3986
//! URIs and references, RFC 6901 pointers).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::Violation;

fn verdict(ok: bool, value: &str, what: &str) -> Result<(), Violation> {
    if ok {
        Ok(())
    } else {
        let shown: String = value.chars().take(80).collect();
        Err(Violation::new(format!("{shown:?} is not a valid {what}")))
    }
}

pub fn uuid(value: &str) -> Result<(), Violation> {
    verdict(is_uuid(value), value, "uuid")
}

pub fn date_time(value: &str) -> Result<(), Violation> {
    verdict(is_date_time(value), value, "date-time (RFC 3339)")
}

pub fn date(value: &str) -> Result<(), Violation> {
    verdict(is_date(value), value, "date (RFC 3339 full-date)")
}

pub fn email(value: &str) -> Result<(), Violation> {
    verdict(is_email(value), value, "email address")
}

pub fn uri(value: &str) -> Result<(), Violation> {
    verdict(is_uri(value), value, "absolute URI")
}

pub fn time(value: &str) -> Result<(), Violation> {
    verdict(is_time(value), value, "time (RFC 3339 full-time)")
}

pub fn duration(value: &str) -> Result<(), Violation> {
    verdict(is_duration(value), value, "duration (ISO 8601)")
}

pub fn hostname(value: &str) -> Result<(), Violation> {
    verdict(is_hostname(value), value, "host name")
}

pub fn ipv4(value: &str) -> Result<(), Violation> {
    verdict(is_ipv4(value), value, "IPv4 address")
}

pub fn ipv6(value: &str) -> Result<(), Violation> {
    verdict(is_ipv6(value), value, "IPv6 address")
}

pub fn uri_reference(value: &str) -> Result<(), Violation> {
    verdict(is_uri_reference(value), value, "URI reference")
}

pub fn json_pointer(value: &str) -> Result<(), Violation> {
    verdict(is_json_pointer(value), value, "JSON pointer")
}

pub fn iri(value: &str) -> Result<(), Violation> {
    verdict(is_iri(value), value, "absolute IRI")
}

pub fn iri_reference(value: &str) -> Result<(), Violation> {
    verdict(is_iri_reference(value), value, "IRI reference")
}

pub fn relative_json_pointer(value: &str) -> Result<(), Violation> {
    verdict(
        is_relative_json_pointer(value),
        value,
        "relative JSON pointer",
    )
}

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_uuid(value: &str) -> bool {
    let bytes = value.as_bytes();
    if bytes.len() != 36 {
        return false;
    }
    // Four hyphens at fixed places, hexadecimal digits between: checked
    // group by group, with no test of the position per byte.
    let hex = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_hexdigit);
    bytes[8] == b'-'
        && bytes[13] == b'-'
        && bytes[18] == b'-'
        && bytes[23] == b'-'
        && hex(0..8)
        && hex(9..13)
        && hex(14..18)
        && hex(19..23)
        && hex(24..36)
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0')))
}

pub fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (digits(&b[..4]), digits(&b[5..7]), digits(&b[8..]))
    else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let last = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=last).contains(&day)
}

/// RFC 3339 `full-time`: `HH:MM:SS[.frac]` and `Z` or `±HH:MM`; second 60
/// only where it falls at 23:59:60 UTC.
pub fn is_time(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) =
        (digits(&b[..2]), digits(&b[3..5]), digits(&b[6..8]))
    else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut i = 8;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if i == b.len() {
        return false;
    }
    match b[i] {
        b'Z' | b'z' => i == b.len() - 1 && (second != 60 || (hour == 23 && minute == 59)),
        sign @ (b'+' | b'-') => {
            let rest = &b[i + 1..];
            if rest.len() != 5 || rest[2] != b':' {
                return false;
            }
            let (Some(oh), Some(om)) = (digits(&rest[..2]), digits(&rest[3..])) else {
                return false;
            };
            if oh > 23 || om > 59 {
                return false;
            }
            if second != 60 {
                return true;
            }
            // A leap second happens at 23:59:60 UTC only.
            let offset = (oh * 60 + om) as i32;
            let local = (hour * 60 + minute) as i32;
            let utc = if sign == b'+' {
                local - offset
            } else {
                local + offset
            };
            utc.rem_euclid(24 * 60) == 23 * 60 + 59
        }
        _ => false,
    }
}

pub fn is_date_time(value: &str) -> bool {
    match value.bytes().position(|b| b == b'T' || b == b't') {
        Some(t) => is_date(&value[..t]) && is_time(&value[t + 1..]),
        None => false,
    }
}

pub fn is_email(value: &str) -> bool {
    // RFC 5321 allows an empty quoted local part, which `email_address` refuses.
    if let Some(domain) = value.strip_prefix("\"\"@") {
        return is_email(&format!("\"a\"@{domain}"));
    }
    let Ok(parsed) = email_address::EmailAddress::from_str(value) else {
        return false;
    };
    if !parsed.local_part().is_ascii() {
        return false;
    }
    let domain = parsed.domain();
    match domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        Some(literal) => match literal.get(..5) {
            Some(tag) if tag.eq_ignore_ascii_case("IPv6:") => {
                literal[5..].parse::<Ipv6Addr>().is_ok()
            }
            _ => literal.parse::<Ipv4Addr>().is_ok(),
        },
        None => is_ascii_hostname(domain),
    }
}

/// RFC 1123 host name: dot-separated labels of 1 to 63 letters, digits and
/// hyphens, no hyphen first or last in a label, 253 characters at most, no
/// trailing dot. A label with hyphens in its third and fourth places must be
/// an IDNA A-label (`xn--`), as RFC 5891 reserves the others.
pub fn is_hostname(host: &str) -> bool {
    is_ascii_hostname(host)
        && host.split('.').all(|label| {
            let l = label.as_bytes();
            !(l.len() >= 4 && l[2] == b'-' && l[3] == b'-') || l.starts_with(b"xn--")
        })
}

fn is_ascii_hostname(host: &str) -> bool {
    let b = host.as_bytes();
    if b.is_empty() || b.len() > 253 || b[b.len() - 1] == b'.' {
        return false;
    }
    host.split('.').all(|label| {
        let l = label.as_bytes();
        !l.is_empty()
            && l.len() <= 63
            && l[0] != b'-'
            && l[l.len() - 1] != b'-'
            && l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    })
}

pub fn is_uri(value: &str) -> bool {
    fluent_uri::Uri::parse(value).is_ok()
}

/// An RFC 3986 URI or relative reference.
pub fn is_uri_reference(value: &str) -> bool {
    fluent_uri::UriRef::parse(value).is_ok()
}

/// An RFC 3987 IRI: a URI that may hold non-ASCII characters.
pub fn is_iri(value: &str) -> bool {
    fluent_uri::Iri::parse(value).is_ok()
}

/// An RFC 3987 IRI or relative reference.
pub fn is_iri_reference(value: &str) -> bool {
    fluent_uri::IriRef::parse(value).is_ok()
}

/// A relative JSON pointer (draft-handrews-relative-json-pointer-01): a
/// non-negative integer without leading zeros, then nothing, `#`, or a JSON
/// pointer.
pub fn is_relative_json_pointer(value: &str) -> bool {
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || (digits > 1 && value.starts_with('0')) {
        return false;
    }
    match &value[digits..] {
        "" | "#" => true,
        pointer => pointer.starts_with('/') && is_json_pointer(pointer),
    }
}

/// Four decimal octets; `std` refuses leading zeros (`010.0.0.1`), which
/// could be read as octal.
pub fn is_ipv4(value: &str) -> bool {
    value.parse::<Ipv4Addr>().is_ok()
}

/// An RFC 4291 text address, without zone or prefix length.
pub fn is_ipv6(value: &str) -> bool {
    value.parse::<Ipv6Addr>().is_ok()
}

/// RFC 6901: empty, or `/`-prefixed tokens where `~` is followed by `0` or
/// `1` only.
pub fn is_json_pointer(value: &str) -> bool {
    if value.is_empty() {
        return true;
    }
    let Some(rest) = value.strip_prefix('/') else {
        return false;
    };
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return false;
        }
    }
    true
}

/// RFC 3339 appendix A `duration`: `P` then either weeks alone (`P2W`) or
/// date units in the order `Y M D` and a time part `T` with `H M S`, each
/// unit once, a whole number before each, and no gap inside a group
/// (`P1Y1D` and `PT1H1S` are refused, as the grammar has them).
pub fn is_duration(value: &str) -> bool {
    let Some(rest) = value.strip_prefix('P') else {
        return false;
    };
    if rest.is_empty() {
        return false;
    }
    if let Some(weeks) = rest.strip_suffix('W') {
        return digits_only(weeks);
    }
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let Some(date_ok) = units(date, b"YMD") else {
        return false;
    };
    match time {
        None => date_ok,
        Some(time) => units(time, b"HMS") == Some(true),
    }
}

fn digits_only(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// A run of `<digits><unit>` with units taken from `order`, in order, as a
/// contiguous stretch of it. `Some(false)` when empty, `None` when malformed.
fn units(part: &str, order: &[u8]) -> Option<bool> {
    let b = part.as_bytes();
    let mut i = 0;
    let mut first: Option<usize> = None;
    let mut last = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i == b.len() {
            return None;
        }
        let at = order.iter().position(|u| *u == b[i])?;
        match first {
            None => first = Some(at),
            Some(_) if at != last + 1 => return None,
            Some(_) => {}
        }
        last = at;
        i += 1;
    }
    Some(first.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_uuid("2eb8aa08-aa98-11ea-b4aa-73b441d16380"));
        assert!(!is_uuid("2eb8aa08aa9811eab4aa73b441d16380"));
        assert!(is_uuid("2EB8AA08-AA98-11EA-B4AA-73B441D16380"));
        // A hyphen one place off, a letter past `f`, one digit short.
        assert!(!is_uuid("2eb8aa0-8aa98-11ea-b4aa-73b441d16380"));
        assert!(!is_uuid("2eb8aa08-aa98-11ea-b4aa-73b441d1638g"));
        assert!(!is_uuid("2eb8aa08-aa98-11ea-b4aa-73b441d1638"));
        assert!(!is_uuid("2eb8aa08-aa98-11ea-b4aa-73b441d16380-"));
        assert!(is_date("2020-02-29"));
        assert!(!is_date("2021-02-29"));
        assert!(is_date_time("1998-12-31T23:59:60Z"));
        assert!(is_date_time("1998-12-31T15:59:60.123-08:00"));
        assert!(!is_date_time("1998-12-31T22:59:60Z"));
        assert!(is_email("joe.bloggs@example.com"));
        assert!(!is_email("2962"));
        assert!(is_uri("http://example.com/a?b#c"));
        assert!(!is_uri("//example.com"));
    }

    #[test]
    fn ipv4() {
        for ok in ["192.168.0.1", "0.0.0.0", "255.255.255.255"] {
            assert!(is_ipv4(ok), "{ok}");
        }
        for bad in [
            "127.0.0.0.1",
            "256.256.256.256",
            "127.0",
            "127.1",
            "0x7f000001",
            "2130706433",
            "1\u{09e8}7.0.0.1",
            "192.168.1.0/24",
            " 192.168.0.1",
            "192.168.0.1\n",
            "087.10.0.1",
            "192.168..1",
            "192.168.0.1.",
            "",
            "+1.2.3.4",
            "192.168.0.1:80",
        ] {
            assert!(!is_ipv4(bad), "{bad:?}");
        }
    }

    #[test]
    fn ipv6() {
        for ok in [
            "::1",
            "::",
            "1:d6::42",
            "::abef",
            "::ffff:192.168.0.1",
            "1:2:3:4:5:6:7:8",
            "1000:1000:1000:1000:1000:1000:255.255.255.255",
        ] {
            assert!(is_ipv6(ok), "{ok}");
        }
        for bad in [
            "12345::",
            "::abcef",
            "1:1:1:1:1:1:1:1:1:1:1:1:1:1:1:1",
            "::laptop",
            ":2:3:4:5:6:7:8",
            "1::d6::42",
            "1::2:192.168.256.1",
            "fe80::a%eth1",
            "::1/128",
            " ::1",
            "1:2:3:4:5:6:7:\u{09ea}",
            "",
        ] {
            assert!(!is_ipv6(bad), "{bad:?}");
        }
    }

    #[test]
    fn time() {
        for ok in [
            "08:30:06Z",
            "23:59:60Z",
            "15:59:60-08:00",
            "08:30:06.283185Z",
            "08:30:06+00:20",
            "08:30:06z",
        ] {
            assert!(is_time(ok), "{ok}");
        }
        for bad in [
            "22:59:60Z",
            "23:59:60+01:00",
            "008:030:006Z",
            "8:3:6Z",
            "24:00:00Z",
            "00:60:00Z",
            "01:02:03",
            "01:02:03+24:00",
            "01:02:03Z+00:30",
            "08:30:06 PST",
            "08:30:06.Z",
            "1\u{09e8}:00:00Z",
            "",
        ] {
            assert!(!is_time(bad), "{bad:?}");
        }
    }

    #[test]
    fn duration() {
        for ok in [
            "P4DT12H30M5S",
            "P4Y",
            "PT0S",
            "P0D",
            "P1M",
            "PT36H",
            "P1Y2M",
            "P2W",
            "P1Y2M3DT4H5M6S",
        ] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in [
            "PT1D",
            "P",
            "P1YT",
            "PT",
            "P2D1Y",
            "P1D2H",
            "P2S",
            "P1Y2W",
            "P1WT1H",
            "P1Y1D",
            "PT1H1S",
            "P1Y1Y",
            "P\u{09e8}Y",
            "4DT12H30M5S",
            "",
        ] {
            assert!(!is_duration(bad), "{bad:?}");
        }
    }

    #[test]
    fn hostname() {
        let longest = ["a".repeat(63).as_str(); 4].join(".")[..253].to_owned();
        for ok in [
            "www.example.com",
            "xn--4gbwdl.xn--wgbh1c",
            "hostname",
            "h0stn4me",
            "1host",
            "a",
            longest.as_str(),
        ] {
            assert!(is_hostname(ok), "{ok}");
        }
        let too_long = format!("{longest}a");
        for bad in [
            "-a-host-name-that-starts-with--",
            "not_a_valid_host_name",
            "a-vvvvvvvvvvvvvvvveeeeeeeeeeeeeeeerrrrrrrrrrrrrrrryyyyyyyyyyyyyyyy-long-host-name-component",
            "-hostname",
            "hostname-",
            "_hostname",
            "host_name",
            "example.com.",
            "ab--cd",
            "",
            ".",
            "a..b",
            too_long.as_str(),
        ] {
            assert!(!is_hostname(bad), "{bad:?}");
        }
    }

    #[test]
    fn json_pointer() {
        for ok in [
            "",
            "/foo/bar~0/baz~1/%a",
            "/foo//bar",
            "/foo/bar/",
            "/",
            "/~0~1",
            "/foo/0",
            "/ /\\/\"",
        ] {
            assert!(is_json_pointer(ok), "{ok:?}");
        }
        for bad in [
            "/foo/bar~",
            "#",
            "#/",
            "#a",
            "/~0~",
            "/~2",
            "/~-1",
            "/~~",
            "a",
            "0",
            "a/a",
        ] {
            assert!(!is_json_pointer(bad), "{bad:?}");
        }
    }

    #[test]
    fn uri_reference() {
        for ok in [
            "http://foo.bar/?baz=qux#quux",
            "//foo.bar/?baz=qux#quux",
            "/abc",
            "abc",
            "#fragment",
            "",
            "?query",
        ] {
            assert!(is_uri_reference(ok), "{ok:?}");
        }
        for bad in [
            "\\\\WINDOWS\\fileshare",
            "#frag\\ment",
            "a b",
            "http://[::1",
        ] {
            assert!(!is_uri_reference(bad), "{bad:?}");
        }
    }

    #[test]
    fn iris_and_relative_pointers() {
        assert!(is_iri("https://bücher.example/straße?q=ü#teil"));
        assert!(!is_iri("/straße"));
        assert!(!is_iri("https://example.com/a b"));
        assert!(is_iri_reference("/straße?seite=2"));
        assert!(is_iri_reference("#ƒrägmênt"));
        assert!(!is_iri_reference("a b"));
        for ok in ["0", "1", "0#", "10/a~1b", "2/0/baz/1/zip", "0/"] {
            assert!(is_relative_json_pointer(ok), "{ok:?}");
        }
        for bad in [
            "", "/a", "-1/a", "+1/a", "01", "01#", "0##", "1a", "1/~2", "#",
        ] {
            assert!(!is_relative_json_pointer(bad), "{bad:?}");
        }
        assert!(relative_json_pointer("01").is_err());
        assert!(iri("https://ü.example").is_ok());
        assert!(iri_reference("a b").is_err());
    }
}
