//! Code generation from one wide contract: binding, the Rust backend and
//! the C backend (header, skeleton and the library around the Rust
//! bindings) on the same model.
//!
//! Run: `cargo bench -p evc-compiler --bench generate`. `rust/N` and `c/N` each
//! include binding the model, as `evc gen rust` and `evc gen c` do; `bind/N`
//! is that shared step alone.

// Shared with the lint benchmark, whose generators this one does not use.
#[allow(dead_code)]
mod support;

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const PROPERTIES: [usize; 2] = [1_000, 5_000];

fn generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    for n in PROPERTIES {
        let lint = evc::lint_inputs(support::wide(n), Path::new("."));
        assert!(!lint.has_errors(), "the wide contract is valid");
        let model = &lint.model;
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("bind", n), model, |b, model| {
            b.iter(|| evc::bind::bind(model).lowered.roots.len())
        });
        group.bench_with_input(BenchmarkId::new("rust", n), model, |b, model| {
            b.iter(|| {
                let binding = evc::bind::bind(model);
                evc::rust::generate(&binding, &evc::rust::Options::default())
            })
        });
        let options = evc::c::Options {
            prefix: "wide".into(),
        };
        group.bench_with_input(BenchmarkId::new("c", n), model, |b, model| {
            b.iter(|| {
                let binding = evc::bind::bind(model);
                evc::generate_c(&binding, &options).expect("bindable")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
