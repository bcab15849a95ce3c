//! Compiling and running C programs against the generated bindings.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

/// How a C program is built and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    Plain,
    /// `-fsanitize=address,undefined`, leaks checked at exit.
    Sanitized,
    /// A plain build run under valgrind's memcheck, leaks counted as errors.
    Valgrind,
}

/// Where the build script wrote the set's header and skeleton.
pub fn generated(prefix: &str) -> PathBuf {
    Path::new(evc_c_tests::GENERATED_DIR).join(prefix)
}

/// This crate's static library, as cargo built it for these tests.
pub fn static_library() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let deps = exe.parent().expect("deps dir");
    let mut candidates: Vec<PathBuf> = std::fs::read_dir(deps)
        .expect("deps readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("libevc_c_tests") && n.ends_with(".a"))
        })
        .collect();
    if let Some(profile) = deps.parent() {
        candidates.push(profile.join("libevc_c_tests.a"));
    }
    candidates
        .into_iter()
        .filter(|p| p.exists())
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .expect("cargo built libevc_c_tests.a beside the tests")
}

const C_FLAGS: &[&str] = &["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"];
const SANITIZE: &[&str] = &[
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
];

/// Compiles and links `sources` against the static library.
pub fn cc(build: Build, sources: &[&Path], include: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    let exe = out.join(format!("program-{build:?}").to_lowercase());
    let mut command = Command::new("gcc");
    command.args(C_FLAGS).args(extra).arg("-I").arg(include);
    if build == Build::Sanitized {
        command.args(SANITIZE);
    }
    command
        .args(sources)
        .arg("-o")
        .arg(&exe)
        .arg(static_library());
    command.args(["-lpthread", "-ldl", "-lm"]);
    let output = command.output().expect("gcc runs");
    assert!(
        output.status.success(),
        "{command:?}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    exe
}

/// Runs a program; its stdout, after checking it exited 0 with no
/// sanitizer or memcheck report.
pub fn run(build: Build, exe: &Path, args: &[&Path]) -> String {
    let mut command = match build {
        Build::Valgrind => {
            let mut c = Command::new("valgrind");
            c.args([
                "--quiet",
                "--error-exitcode=97",
                "--leak-check=full",
                "--show-leak-kinds=definite,indirect",
                "--errors-for-leak-kinds=definite,indirect",
            ])
            .arg(exe);
            c
        }
        _ => Command::new(exe),
    };
    command.args(args);
    command.env("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0");
    command.env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
    let output = command.output().expect("the program runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{build:?}: {command:?} failed ({}):\n{stderr}",
        output.status
    );
    assert!(
        !stderr.contains("ERROR:") && !stderr.contains("runtime error"),
        "{build:?}: {stderr}"
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The header compiled alone: as C99 and C11 with gcc (static assertions
/// active in C11), and as C++11 with g++.
pub fn compile_header(header: &Path) {
    let dir = header.parent().expect("dir");
    let name = header.file_name().and_then(|n| n.to_str()).expect("name");
    let tmp = tempfile::tempdir().expect("tmp");
    let c = tmp.path().join("include.c");
    std::fs::write(&c, format!("#include \"{name}\"\n")).expect("written");
    let cpp = tmp.path().join("include.cpp");
    std::fs::write(&cpp, format!("#include \"{name}\"\n")).expect("written");
    let strict = ["-Wall", "-Wextra", "-Werror", "-pedantic", "-fsyntax-only"];
    // gnu11 predefines `linux` and `unix` and knows `typeof`: members must
    // survive that too.
    let runs: [(&str, &str, &Path); 4] = [
        ("gcc", "-std=c99", &c),
        ("gcc", "-std=c11", &c),
        ("gcc", "-std=gnu11", &c),
        ("g++", "-std=c++11", &cpp),
    ];
    for (compiler, std, source) in runs {
        let mut command = Command::new(compiler);
        command.arg(std).args(strict).arg("-I").arg(dir).arg(source);
        if compiler == "gcc" {
            command.args(["-Wstrict-prototypes", "-Wmissing-prototypes"]);
        }
        if std.starts_with("-std=gnu") {
            command.args(["-Wno-pedantic"]);
        }
        let output = command.output().expect("the compiler runs");
        assert!(
            output.status.success(),
            "{name} with {compiler} {std}:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Every example of every version of every contract under `dir` (relative
/// to this crate), one structured-mode envelope per line; the count.
pub fn write_examples(dir: &str, path: &Path) -> usize {
    let lines = examples(dir);
    std::fs::write(path, lines.join("\n") + "\n").expect("written");
    lines.len()
}

pub fn examples(dir: &str) -> Vec<String> {
    let lint = evc::lint_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).expect("readable");
    assert!(!lint.has_errors(), "{dir} has errors");
    let mut lines = Vec::new();
    for contract in &lint.model.contracts {
        for version in &contract.versions {
            let number = version.version.as_ref().expect("parsed");
            for (i, example) in version.examples.iter().enumerate() {
                let envelope = json!({
                    "specversion": "1.0",
                    "id": format!("{}-{number}-{i}", contract.name.value),
                    "source": "/tests/c",
                    "type": contract.wire_type(number.major),
                    "dataversion": number.to_string(),
                    "data": example.node.to_json(),
                });
                lines.push(envelope.to_string());
            }
        }
    }
    lines
}

pub fn contracts_with_examples(dir: &str) -> usize {
    let lint = evc::lint_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).expect("readable");
    lint.model
        .contracts
        .iter()
        .filter(|c| c.versions.iter().any(|v| !v.examples.is_empty()))
        .count()
}

/// Each example of `dir` dispatched by a C program whose handlers encode
/// what they receive: `(message sent, line printed)` pairs.
pub fn round_trip(prefix: &str, dir: &str, build: Build) -> Vec<(String, String)> {
    let include = generated(prefix);
    let header = std::fs::read_to_string(include.join(format!("{prefix}.h"))).expect("header");
    let tmp = tempfile::tempdir().expect("tmp");
    let source = tmp.path().join("round_trip.c");
    std::fs::write(&source, round_trip_program(prefix, &header)).expect("written");
    let exe = cc(build, &[&source], &include, tmp.path(), &[]);
    let messages = tmp.path().join("messages.jsonl");
    write_examples(dir, &messages);
    let stdout = run(build, &exe, &[&messages]);
    let sent = examples(dir);
    let lines: Vec<String> = stdout.lines().map(str::to_string).collect();
    assert_eq!(
        lines.len(),
        sent.len(),
        "{build:?}: one line per message:\n{stdout}"
    );
    sent.into_iter().zip(lines).collect()
}

/// `(entry, C type)` of each handler the header declares.
fn handler_entries(header: &str) -> Vec<(String, String)> {
    header
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("int (*on_")?;
            let (entry, params) = rest.split_once(")(")?;
            let last = params.rsplit(", ").next()?;
            let ty = last.strip_prefix("const ")?.split(' ').next()?;
            Some((entry.to_string(), ty.to_string()))
        })
        .collect()
}

/// Reads a file of lines; shared by the test programs.
const READ_LINES: &str = r#"
static char *read_file(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    char *text;
    long size;
    if (file == NULL || fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0) {
        exit(3);
    }
    rewind(file);
    text = (char *)malloc((size_t)size + 1);
    if (text == NULL || fread(text, 1, (size_t)size, file) != (size_t)size) {
        exit(3);
    }
    fclose(file);
    text[size] = '\0';
    *len = (size_t)size;
    return text;
}
"#;

fn round_trip_program(prefix: &str, header: &str) -> String {
    let entries = handler_entries(header);
    let handlers: String = entries
        .iter()
        .map(|(entry, ty)| format!("ROUND_TRIP({entry}, {ty})\n"))
        .collect();
    let table: Vec<String> = entries.iter().map(|(e, _)| format!("on_{e}")).collect();
    let program = r#"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "PREFIX.h"
READ_LINES
#define ROUND_TRIP(name, ctype)                                                  \
    static int on_##name(void *ctx, const PREFIX_meta *meta, const ctype *message)\
    {                                                                            \
        PREFIX_buf buf = {NULL, 0};                                              \
        FILE *out = (FILE *)ctx;                                                 \
        if (meta->type.ptr[meta->type.len] != '\0' || meta->id.len == 0) {       \
            return 2;                                                            \
        }                                                                        \
        if (PREFIX_encode_##name(message, &buf) != UPPER_STATUS_OK) {           \
            fprintf(out, "err encode %s\n", PREFIX_last_error());                \
            return 0;                                                            \
        }                                                                        \
        fprintf(out, "ok %.*s\n", (int)buf.len, (const char *)buf.data);         \
        PREFIX_buf_free(&buf);                                                   \
        return 0;                                                                \
    }

HANDLERS
static const PREFIX_handlers TABLE = { TABLE_ENTRIES };

int main(int argc, char **argv)
{
    size_t len, start = 0, i;
    char *text;
    if (argc != 2 || UPPER_CHECK_ABI() != UPPER_STATUS_OK) {
        return 2;
    }
    text = read_file(argv[1], &len);
    for (i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            if (i > start) {
                PREFIX_status status = PREFIX_dispatch((const uint8_t *)text + start, i - start, &TABLE, stdout);
                if (status != UPPER_STATUS_OK) {
                    printf("err %d %s\n", (int)status, PREFIX_last_error());
                }
            }
            start = i + 1;
        }
    }
    free(text);
    return 0;
}
"#;
    program
        .replace("READ_LINES", READ_LINES)
        .replace("HANDLERS", &handlers)
        .replace("TABLE_ENTRIES", &table.join(", "))
        .replace("UPPER_", &format!("{}_", prefix.to_uppercase()))
        .replace("PREFIX", prefix)
}

/// A program around the generated skeleton: every line dispatched to the
/// skeleton's table must return OK.
pub fn skeleton_main() -> String {
    let main = r#"
#include <stdio.h>
#include <stdlib.h>
#include "shop.h"
extern const shop_handlers shop_handler_table;
READ_LINES
int main(int argc, char **argv)
{
    size_t len, start = 0, i;
    int dispatched = 0;
    char *text;
    if (argc != 2) {
        return 2;
    }
    text = read_file(argv[1], &len);
    for (i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            if (i > start) {
                shop_status status = shop_dispatch((const uint8_t *)text + start, i - start, &shop_handler_table, NULL);
                if (status != SHOP_STATUS_OK) {
                    printf("status %d: %s\n", (int)status, shop_last_error());
                    return 1;
                }
                dispatched++;
            }
            start = i + 1;
        }
    }
    free(text);
    printf("dispatched %d\n", dispatched);
    return 0;
}
"#;
    main.replace("READ_LINES", READ_LINES)
}
