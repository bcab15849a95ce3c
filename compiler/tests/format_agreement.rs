//! The runtime's format checks judge as the `jsonschema` crate does, on
//! valid and invalid values of each format (hostname apart: `jsonschema`
//! also decodes `xn--` labels, evc checks RFC 1123 labels only).

use evc_runtime::check;
use serde_json::json;

type Check = fn(&str) -> bool;

const CASES: &[(&str, Check, &[&str])] = &[
    (
        "ipv4",
        check::is_ipv4,
        &[
            "192.168.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "127.0.0.0.1",
            "256.256.256.256",
            "127.1",
            "0x7f000001",
            "087.10.0.1",
            "192.168.0.1 ",
            "1\u{09e8}7.0.0.1",
            "",
        ],
    ),
    (
        "ipv6",
        check::is_ipv6,
        &[
            "::1",
            "::",
            "::ffff:192.168.0.1",
            "1:2:3:4:5:6:7:8",
            "12345::",
            "1::d6::42",
            "fe80::a%eth1",
            "::1/128",
            " ::1",
            "1::2:192.168.256.1",
            "",
        ],
    ),
    (
        "time",
        check::is_time,
        &[
            "08:30:06Z",
            "23:59:60Z",
            "15:59:60-08:00",
            "08:30:06.283185z",
            "22:59:60Z",
            "23:59:60+01:00",
            "24:00:00Z",
            "01:02:03",
            "01:02:03+24:00",
            "08:30:06.Z",
            "8:3:6Z",
            "",
        ],
    ),
    (
        "duration",
        check::is_duration,
        &[
            "P4DT12H30M5S",
            "PT0S",
            "P2W",
            "P1Y2M3DT4H5M6S",
            "PT36H",
            "P1M",
            "P",
            "PT",
            "P1YT",
            "PT1D",
            "P2D1Y",
            "P1Y2W",
            "P1WT1H",
            "P1Y1D",
            "PT1H1S",
            "P1Y1Y",
            "P1",
            "",
        ],
    ),
    (
        "json-pointer",
        check::is_json_pointer,
        &[
            "",
            "/",
            "/foo/bar~0/baz~1/%a",
            "/foo//bar",
            "/ /\\/\"",
            "/foo/bar~",
            "#/",
            "/~2",
            "/~~",
            "a/a",
        ],
    ),
    (
        "uri-reference",
        check::is_uri_reference,
        &[
            "http://foo.bar/?baz=qux#quux",
            "//foo.bar/?baz=qux#quux",
            "/abc",
            "abc",
            "#fragment",
            "",
            "\\\\WINDOWS\\fileshare",
            "#frag\\ment",
            "a b",
        ],
    ),
    (
        "iri",
        check::is_iri,
        &[
            "http://ƒøø.ßår/?∂éœ=πîx#πîüx",
            "http://ƒøø.com/blah_(wîkïpédiå)_blah#ßité-1",
            "http://[2001:0db8:85a3:0000:0000:8a2e:0370:7334]",
            "http://[2001:0db8:85a3:0000:0000:8a2e:0370]",
            "/abc",
            "\\\\WINDOWS\\filëßåré",
            "âππ",
            "http://example.com/a b",
            "",
        ],
    ),
    (
        "iri-reference",
        check::is_iri_reference,
        &[
            "http://ƒøø.ßår/?∂éœ=πîx#πîüx",
            "//ƒøø.ßår/?∂éœ=πîx#πîüx",
            "/âππ",
            "âππ",
            "#ƒrägmênt",
            "",
            "\\\\WINDOWS\\filëßåré",
            "#ƒräg\\mênt",
        ],
    ),
    (
        "relative-json-pointer",
        check::is_relative_json_pointer,
        &[
            "1",
            "0/foo/bar",
            "2/0/baz/1/zip",
            "0#",
            "120/foo/bar",
            "/foo/bar",
            "-1/foo/bar",
            "+1/foo/bar",
            "0##",
            "01/a",
            "01#",
            "",
            "0~",
            "1/~2",
            "10",
        ],
    ),
    (
        "hostname",
        check::is_hostname,
        &[
            "www.example.com",
            "a",
            "1host",
            "-hostname",
            "hostname-",
            "host_name",
            "example.com.",
            "a..b",
            "ab--cd",
            "",
        ],
    ),
];

#[test]
fn runtime_formats_agree_with_jsonschema() {
    for (format, is_valid, values) in CASES {
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&json!({ "type": "string", "format": format }))
            .expect("schema builds");
        for value in *values {
            assert_eq!(
                is_valid(value),
                validator.is_valid(&json!(value)),
                "format {format}, value {value:?}"
            );
        }
    }
}
