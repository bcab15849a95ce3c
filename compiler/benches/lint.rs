//! `evc lint` throughput on synthetic contract sets.
//!
//! Run: `cargo bench -p evc-compiler --bench lint`. Each contract has three versions,
//! so `lint/1000` is 1,000 contracts x 3 versions; comparing it with
//! `lint/10000` shows whether the cost stays linear in the number of contracts.
//! `versions/*` is one contract of many minor versions (`adding`: each has a
//! schema of its own; `sharing`: all have one definition): each minor is
//! checked against every older version of its major, and comparing 1,000
//! with 10,000 shows whether that stays linear in the number of versions.

mod support;

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn lint_in_memory(c: &mut Criterion) {
    let mut group = c.benchmark_group("lint");
    group.sample_size(10);
    for n in [100usize, 1_000, 10_000] {
        let inputs = support::inputs(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &inputs, |b, inputs| {
            b.iter(|| {
                let lint = evc::lint_inputs(inputs.clone(), Path::new("."));
                assert!(!lint.has_errors());
                lint
            })
        });
    }
    group.finish();
}

fn lint_from_disk(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temporary directory");
    support::write(dir.path(), 1_000).expect("synthetic contracts written");
    let mut group = c.benchmark_group("lint_dir");
    group.sample_size(10);
    group.throughput(Throughput::Elements(1_000));
    group.bench_function("1000", |b| {
        b.iter(|| evc::lint_dir(dir.path()).expect("readable"))
    });
    group.finish();
}

fn lint_versions(c: &mut Criterion) {
    let mut group = c.benchmark_group("versions");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        group.throughput(Throughput::Elements(n as u64));
        for (shape, inputs) in [
            ("adding", support::adding(n)),
            ("sharing", support::sharing(n)),
        ] {
            group.bench_with_input(BenchmarkId::new(shape, n), &inputs, |b, inputs| {
                b.iter(|| {
                    let lint = evc::lint_inputs(inputs.clone(), Path::new("."));
                    assert!(!lint.has_errors(), "{:?}", lint.diagnostics.first());
                    lint
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, lint_in_memory, lint_from_disk, lint_versions);
criterion_main!(benches);
