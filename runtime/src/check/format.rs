//! `format` assertions: `uuid`, `date-time`, `date`, `email`, `uri`, with
//! the rules `jsonschema` applies (RFC 3339 with leap seconds, RFC 4122
//! hyphenated UUIDs, RFC 5321 addresses, absolute RFC 3986 URIs).

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

fn is_time(value: &str) -> bool {
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
        None => is_hostname(domain),
    }
}

fn is_hostname(host: &str) -> bool {
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
}
