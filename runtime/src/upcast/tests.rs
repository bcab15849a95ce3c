use serde_json::{json, Value};

use super::*;

fn rename(from: &str, to: &str) -> Step {
    Step::Rename {
        from: from.into(),
        to: to.into(),
    }
}

fn moved(from: &str, to: &str) -> Step {
    Step::Move {
        from: from.into(),
        to: to.into(),
    }
}

fn set(path: &str, value: Value) -> Step {
    Step::Set {
        path: path.into(),
        value,
    }
}

fn drop(path: &str) -> Step {
    Step::Drop { path: path.into() }
}

fn convert(path: &str, to: Scalar) -> Step {
    Step::Convert {
        path: path.into(),
        to,
    }
}

fn run(steps: &[Step], mut payload: Value) -> Result<Value, StepError> {
    apply(steps, &mut payload).map(|()| payload)
}

fn ok(steps: &[Step], payload: Value) -> Value {
    run(steps, payload).expect("the upcast applies")
}

fn fails(steps: &[Step], payload: Value) -> StepError {
    run(steps, payload).expect_err("the upcast fails")
}

#[test]
fn paths_parse_with_pointer_escapes() {
    let path = Path::parse("a~1b/c~0d/e").unwrap();
    assert_eq!(path.segments(), ["a/b", "c~d", "e"]);
    assert_eq!(path.to_string(), "a~1b/c~0d/e");
    assert_eq!(path.pointer(), "/a~1b/c~0d/e");
    assert_eq!(path.parent(), ["a/b", "c~d"]);
    assert_eq!(path.last(), "e");
    assert_eq!(Path::parse_name("x~1y"), Ok("x/y".to_owned()));
}

#[test]
fn malformed_paths_are_refused() {
    assert_eq!(Path::parse(""), Err(PathError::Empty));
    assert_eq!(Path::parse("/a"), Err(PathError::LeadingSlash));
    assert_eq!(Path::parse("a//b"), Err(PathError::EmptySegment));
    assert_eq!(Path::parse("a/"), Err(PathError::EmptySegment));
    assert_eq!(Path::parse("a~2"), Err(PathError::BadEscape));
    assert_eq!(Path::parse("a~"), Err(PathError::BadEscape));
    assert_eq!(Path::parse_name("a/b"), Err(PathError::NotAName));
}

#[test]
fn paths_overlap_when_one_is_a_prefix_of_the_other() {
    let p = |t| Path::parse(t).unwrap();
    assert!(p("a").overlaps(&p("a/b")));
    assert!(p("a/b").overlaps(&p("a")));
    assert!(p("a/b").overlaps(&p("a/b")));
    assert!(!p("a/b").overlaps(&p("a/c")));
    assert!(!p("ab").overlaps(&p("a")));
}

#[test]
fn rename_keeps_the_value_in_the_same_object() {
    let out = ok(
        &[rename("name", "display_name")],
        json!({"name": "Ada", "x": 1}),
    );
    assert_eq!(out, json!({"x": 1, "display_name": "Ada"}));
    let nested = ok(&[rename("a/b", "c")], json!({"a": {"b": 1}}));
    assert_eq!(nested, json!({"a": {"c": 1}}));
    let escaped = ok(&[rename("a~1b", "c~0d")], json!({"a/b": 1}));
    assert_eq!(escaped, json!({"c~d": 1}));
}

#[test]
fn rename_replaces_an_existing_value_and_skips_an_absent_one() {
    let out = ok(&[rename("a", "b")], json!({"a": 1, "b": 2}));
    assert_eq!(out, json!({"b": 1}));
    assert_eq!(ok(&[rename("a", "b")], json!({"c": 1})), json!({"c": 1}));
    assert_eq!(ok(&[rename("a/b", "c")], json!({})), json!({}));
    assert_eq!(ok(&[rename("a", "a")], json!({"a": 1})), json!({"a": 1}));
}

#[test]
fn rename_to_a_path_is_refused() {
    let error = fails(&[rename("a", "b/c")], json!({"a": 1}));
    assert_eq!(error.reason, Reason::InvalidPath(PathError::NotAName));
    assert_eq!(error.path, "b/c");
}

#[test]
fn move_nests_a_value_under_its_old_name() {
    let out = ok(&[moved("total", "total/amount")], json!({"total": 5}));
    assert_eq!(out, json!({"total": {"amount": 5}}));
}

#[test]
fn move_creates_parents_replaces_targets_and_skips_absent_sources() {
    let out = ok(&[moved("a", "x/y/z")], json!({"a": true}));
    assert_eq!(out, json!({"x": {"y": {"z": true}}}));
    let out = ok(&[moved("a/b", "c")], json!({"a": {"b": 1}, "c": 9}));
    assert_eq!(out, json!({"a": {}, "c": 1}));
    let out = ok(&[moved("a/b", "a")], json!({"a": {"b": 1}}));
    assert_eq!(out, json!({"a": 1}));
    assert_eq!(ok(&[moved("a", "b/c")], json!({"d": 1})), json!({"d": 1}));
    assert_eq!(ok(&[moved("a", "a")], json!({"a": 1})), json!({"a": 1}));
}

#[test]
fn move_into_a_non_object_fails_at_the_target() {
    let error = fails(&[moved("a", "b/c")], json!({"a": 1, "b": "text"}));
    assert_eq!(error.path, "b/c");
    assert_eq!(
        error.reason,
        Reason::ParentNotObject {
            parent: "b".into(),
            found: "a string"
        }
    );
}

#[test]
fn set_creates_parents_and_replaces() {
    let out = ok(
        &[set("total/currency", json!("USD"))],
        json!({"total": {"amount": 1}}),
    );
    assert_eq!(out, json!({"total": {"amount": 1, "currency": "USD"}}));
    let out = ok(&[set("a/b", json!([1, 2]))], json!({}));
    assert_eq!(out, json!({"a": {"b": [1, 2]}}));
    assert_eq!(
        ok(&[set("a", json!(null))], json!({"a": 1})),
        json!({"a": null})
    );
}

#[test]
fn drop_removes_a_present_value_only() {
    assert_eq!(ok(&[drop("a")], json!({"a": 1, "b": 2})), json!({"b": 2}));
    assert_eq!(ok(&[drop("a/b")], json!({"a": {"b": 1}})), json!({"a": {}}));
    assert_eq!(ok(&[drop("a/b")], json!({"c": 1})), json!({"c": 1}));
}

#[test]
fn steps_run_in_order_on_the_result_of_the_one_before() {
    let steps = [
        rename("note", "comment"),
        moved("total", "total/amount"),
        set("total/currency", json!("USD")),
        convert("total/amount", Scalar::String),
    ];
    let out = ok(&steps, json!({"total": 189.7, "note": "hi"}));
    assert_eq!(
        out,
        json!({"comment": "hi", "total": {"amount": "189.7", "currency": "USD"}})
    );
}

#[test]
fn conversions_from_strings() {
    let c = |value: Value, to| ok(&[convert("v", to)], json!({ "v": value }))["v"].clone();
    assert_eq!(c(json!("42"), Scalar::Integer), json!(42));
    assert_eq!(c(json!("-7"), Scalar::Integer), json!(-7));
    assert_eq!(c(json!("007"), Scalar::Integer), json!(7));
    assert_eq!(
        c(json!("18446744073709551615"), Scalar::Integer),
        json!(u64::MAX)
    );
    assert_eq!(c(json!("1.5e2"), Scalar::Number), json!(150.0));
    assert_eq!(c(json!("-0.25"), Scalar::Number), json!(-0.25));
    assert_eq!(c(json!("3"), Scalar::Number), json!(3));
    assert_eq!(c(json!("true"), Scalar::Boolean), json!(true));
    assert_eq!(c(json!("false"), Scalar::Boolean), json!(false));
    assert_eq!(c(json!("as is"), Scalar::String), json!("as is"));
}

#[test]
fn conversions_from_numbers_and_booleans() {
    let c = |value: Value, to| ok(&[convert("v", to)], json!({ "v": value }))["v"].clone();
    assert_eq!(c(json!(12), Scalar::String), json!("12"));
    assert_eq!(c(json!(189.7), Scalar::String), json!("189.7"));
    assert_eq!(c(json!(3.0), Scalar::Integer), json!(3));
    assert!(c(json!(3.0), Scalar::Integer).is_i64());
    assert_eq!(c(json!(-2.0), Scalar::Integer), json!(-2));
    assert_eq!(
        c(json!(1e19), Scalar::Integer),
        json!(10_000_000_000_000_000_000u64)
    );
    assert_eq!(c(json!(5), Scalar::Integer), json!(5));
    assert_eq!(c(json!(5), Scalar::Number), json!(5));
    assert_eq!(c(json!(2.5), Scalar::Number), json!(2.5));
    assert_eq!(c(json!(true), Scalar::String), json!("true"));
    assert_eq!(c(json!(false), Scalar::Boolean), json!(false));
}

#[test]
fn convert_of_absent_or_null_is_a_no_op() {
    assert_eq!(ok(&[convert("v", Scalar::Integer)], json!({})), json!({}));
    assert_eq!(ok(&[convert("a/v", Scalar::Integer)], json!({})), json!({}));
    let null = json!({"v": null});
    assert_eq!(ok(&[convert("v", Scalar::Integer)], null.clone()), null);
}

#[test]
fn conversions_that_fail_name_the_path_and_why() {
    let c = |value: Value, to| fails(&[convert("a/v", to)], json!({"a": { "v": value }}));
    let error = c(json!("abc"), Scalar::Integer);
    assert_eq!(error.path, "a/v");
    assert_eq!(error.step, 0);
    assert_eq!(error.action, "convert");
    assert_eq!(
        error.reason,
        Reason::NotParsable {
            text: "abc".into(),
            to: Scalar::Integer
        }
    );
    for text in ["", "-", "+5", " 5", "5 ", "1.0", "1e3", "0x10"] {
        assert!(
            matches!(
                c(json!(text), Scalar::Integer).reason,
                Reason::NotParsable { .. }
            ),
            "{text:?}"
        );
    }
    for text in [
        "", "+1", " 1", "1 ", ".5", "1.", "NaN", "Infinity", "1e400", "[1]",
    ] {
        assert!(
            matches!(
                c(json!(text), Scalar::Number).reason,
                Reason::NotParsable { .. }
            ),
            "{text:?}"
        );
    }
    for text in ["True", "1", "yes", ""] {
        assert!(
            matches!(
                c(json!(text), Scalar::Boolean).reason,
                Reason::NotParsable { .. }
            ),
            "{text:?}"
        );
    }
    assert_eq!(
        c(json!("99999999999999999999"), Scalar::Integer).reason,
        Reason::OutOfRange {
            text: "99999999999999999999".into()
        }
    );
    assert_eq!(
        c(json!(2.5), Scalar::Integer).reason,
        Reason::NotIntegral {
            number: "2.5".into()
        }
    );
    assert!(matches!(
        c(json!(1e300), Scalar::Integer).reason,
        Reason::OutOfRange { .. }
    ));
    let cannot = [
        (json!(true), Scalar::Integer, "a boolean"),
        (json!(false), Scalar::Number, "a boolean"),
        (json!(1), Scalar::Boolean, "an integer"),
        (json!(1.5), Scalar::Boolean, "a number"),
        (json!([1]), Scalar::String, "an array"),
        (json!({"x": 1}), Scalar::Integer, "an object"),
    ];
    for (value, to, found) in cannot {
        assert_eq!(c(value, to).reason, Reason::CannotConvert { found, to });
    }
}

#[test]
fn long_texts_are_cut_in_messages() {
    let long = "x".repeat(200);
    let error = fails(&[convert("v", Scalar::Integer)], json!({ "v": long }));
    let Reason::NotParsable { text, .. } = &error.reason else {
        panic!("{error:?}");
    };
    assert_eq!(text.chars().count(), 65);
}

#[test]
fn a_parent_that_is_not_an_object_fails_every_step() {
    let payload = json!({"a": [1, 2]});
    let steps = [
        rename("a/b", "c"),
        moved("a/b", "c"),
        set("a/b", json!(1)),
        drop("a/b"),
        convert("a/b", Scalar::String),
    ];
    for step in steps {
        let error = fails(std::slice::from_ref(&step), payload.clone());
        assert_eq!(error.path, "a/b", "{step:?}");
        assert_eq!(
            error.reason,
            Reason::ParentNotObject {
                parent: "a".into(),
                found: "an array"
            },
            "{step:?}"
        );
    }
    let deep = fails(&[set("a/b/c", json!(1))], json!({"a": {"b": 5}}));
    assert_eq!(
        deep.reason,
        Reason::ParentNotObject {
            parent: "a/b".into(),
            found: "an integer"
        }
    );
}

#[test]
fn a_payload_that_is_not_an_object_fails() {
    for payload in [json!(null), json!([]), json!("x"), json!(1)] {
        let error = fails(&[drop("a")], payload);
        assert!(matches!(error.reason, Reason::PayloadNotObject { .. }));
    }
}

#[test]
fn malformed_step_paths_fail_with_the_path() {
    let cases = [
        (rename("", "b"), "", PathError::Empty),
        (moved("a", "/b"), "/b", PathError::LeadingSlash),
        (set("a//b", json!(1)), "a//b", PathError::EmptySegment),
        (drop("a~"), "a~", PathError::BadEscape),
        (convert("a/", Scalar::String), "a/", PathError::EmptySegment),
    ];
    for (step, path, why) in cases {
        let error = fails(&[step], json!({"a": 1}));
        assert_eq!(error.path, path);
        assert_eq!(error.reason, Reason::InvalidPath(why));
    }
}

#[test]
fn a_custom_step_cannot_run() {
    let error = fails(&[Step::Custom], json!({}));
    assert_eq!(error.reason, Reason::Custom);
    assert_eq!(error.action, "custom");
}

#[test]
fn errors_name_the_failing_step() {
    let steps = [drop("x"), rename("a", "b"), convert("b", Scalar::Integer)];
    let error = fails(&steps, json!({"a": "z"}));
    assert_eq!(error.step, 2);
    assert_eq!(
        error.to_string(),
        "step 3 (`convert` of `b`): string \"z\" is not decimal integer text"
    );
    let custom = fails(&[Step::Custom], json!({}));
    assert_eq!(
        custom.to_string(),
        "step 1 (`custom`): a custom upcast is written in Rust: evc cannot run it on JSON values"
    );
}

#[test]
fn typed_conversions_take_the_field_type() {
    use super::convert::*;
    assert_eq!(str_to_integer::<i64>("-7", "/q"), Ok(-7));
    assert_eq!(str_to_integer::<u32>("007", "/q"), Ok(7));
    assert_eq!(
        str_to_integer::<u64>("18446744073709551615", "/q"),
        Ok(u64::MAX)
    );
    let too_big = str_to_integer::<i64>("18446744073709551615", "/q").unwrap_err();
    assert_eq!(too_big.pointer(), "/q");
    for bad in ["", "-", "+1", "1.0", " 1", "abc", "99999999999999999999"] {
        assert!(str_to_integer::<i64>(bad, "/q").is_err(), "{bad}");
    }
    assert_eq!(str_to_number("4.5", "/n"), Ok(4.5));
    assert!(str_to_number(" 4", "/n").is_err());
    assert_eq!(str_to_bool("true", "/b"), Ok(true));
    assert!(str_to_bool("True", "/b").is_err());
    assert_eq!(number_to_integer::<i64>(3.0, "/n"), Ok(3));
    assert_eq!(
        number_to_integer::<u64>(1e19, "/n"),
        Ok(10_000_000_000_000_000_000)
    );
    assert!(number_to_integer::<i64>(1e19, "/n").is_err());
    assert!(number_to_integer::<i64>(3.5, "/n").is_err());
    assert!(number_to_integer::<i64>(f64::NAN, "/n").is_err());
    assert_eq!(number_to_string(2.5), "2.5");
    assert_eq!(number_to_string(3.0), "3");
    assert_eq!(number_to_string(-0.0), "0");
}

#[test]
fn a_number_with_no_fraction_converts_to_its_integer_text() {
    let c = |value: Value| ok(&[convert("v", Scalar::String)], json!({ "v": value }))["v"].clone();
    assert_eq!(c(json!(3.0)), json!("3"));
    assert_eq!(c(json!(3)), json!("3"));
    assert_eq!(c(json!(1e19)), json!("10000000000000000000"));
    assert_eq!(c(json!(u64::MAX)), json!("18446744073709551615"));
    assert_eq!(c(json!(1e300)), json!("1e+300"));
}

#[test]
fn a_step_error_becomes_an_upcast_error_at_its_path() {
    let error = fails(
        &[convert("a~1b/v", Scalar::Integer)],
        json!({"a/b": {"v": "x"}}),
    );
    let upcast = super::UpcastError::from(error);
    assert_eq!(upcast.pointer(), "/a~1b/v");
    assert!(upcast
        .reason()
        .starts_with("step 1 (`convert` of `a~1b/v`)"));
}

#[test]
fn a_whole_number_written_with_a_fraction_reads_as_an_integer() {
    let read: Vec<i64> = super::json::from_value(json!([3.0, -2.0, 4])).unwrap();
    assert_eq!(read, [3, -2, 4]);
    let big: u64 = super::json::from_value(json!(1e19)).unwrap();
    assert_eq!(big, 10_000_000_000_000_000_000);
    assert!(super::json::from_value::<i64>(json!(2.5)).is_err());
    let float: f64 = super::json::from_value(json!(3)).unwrap();
    assert_eq!(float, 3.0);
}
