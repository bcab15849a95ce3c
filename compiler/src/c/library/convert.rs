//! Conversions between the `repr(C)` types and the Rust bindings' types:
//! `view_*` lends a Rust value to C (dispatch), `read_*` checks a C value and
//! copies it into Rust (encoding). Both directions of every case are written
//! side by side, from the one description of the view, so a type converted
//! one way is converted back the same way.

use super::text::{self, Chain, Writer};
use super::{ident, Library};
use crate::bind::ir::{Shape, Ty};
use crate::c::view::{Branch, Constant, Decl, DeclKind, ExtraSlot, FieldSlots};

/// Where a value is: an expression of the value itself, or a binding that
/// holds a reference to it.
enum Place {
    Value(String),
    Ref(String),
}

impl Place {
    fn copy(&self) -> String {
        match self {
            Place::Value(e) => e.clone(),
            Place::Ref(r) => format!("*{r}"),
        }
    }

    fn by_ref(&self) -> String {
        match self {
            Place::Value(e) => format!("&{e}"),
            Place::Ref(r) => r.clone(),
        }
    }
}

/// How a C value reads back into Rust: a plain copy, or a check that may fail.
enum Read {
    Plain(String),
    Checked(Chain),
}

impl Read {
    /// The value, a failure located at `segment` and returned early.
    fn at(self, segment: &str) -> Chain {
        match self {
            Read::Plain(e) => Chain::new(e),
            Read::Checked(e) => e.then(format!(".map_err(|e| e.at({segment}))?")),
        }
    }

    /// The value, a failure returned early as it is.
    fn unwrap(self) -> Chain {
        match self {
            Read::Plain(e) => Chain::new(e),
            Read::Checked(e) => e.tried(),
        }
    }
}

/// One value converted both ways.
struct Value {
    /// The C value of the Rust value; a block takes several lines.
    view: String,
    /// The Rust value of the C value.
    read: Read,
    /// Whether the view allocates in the arena.
    arena: bool,
}

/// A declaration's two conversion functions, as text at the module's depth.
pub(super) struct Functions {
    pub view: String,
    pub read: String,
}

/// What a declaration converts between, and the names of its conversions.
struct Target {
    /// The `repr(C)` type.
    name: String,
    /// The bindings' type.
    rust: String,
    view_fn: String,
    read_fn: String,
    /// The C name as a string literal, for errors.
    type_name: String,
}

/// The signature's parameters and the bodies of a declaration's conversions.
struct Bodies {
    view: Writer,
    arena: bool,
    read: Writer,
}

impl Bodies {
    /// Bodies written two levels deep: inside the module and the function.
    fn new() -> Self {
        Bodies {
            view: Writer::new(2),
            arena: false,
            read: Writer::new(2),
        }
    }
}

impl Library<'_, '_> {
    /// The `view_*` and `read_*` functions of a declaration. A map's entry
    /// has none: its map's functions convert it in place.
    pub(super) fn conversions(&self, decl: &Decl) -> Option<Functions> {
        let target = Target {
            name: ident(&decl.name).to_string(),
            rust: self.rust_of(decl),
            view_fn: format!("view_{}", decl.part),
            read_fn: format!("read_{}", decl.part),
            type_name: text::string(&decl.name),
        };
        let mut bodies = Bodies::new();
        match &decl.kind {
            DeclKind::MapEntry { .. } => return None,
            DeclKind::Enum { constants, .. } => return Some(self.enumeration(constants, &target)),
            DeclKind::Array { elem } => return Some(self.array(elem, &target)),
            DeclKind::Record { fields, extra, .. } if fields.is_empty() && extra.is_none() => {
                return Some(empty_record(&target));
            }
            DeclKind::Record { fields, extra, .. } => {
                self.record(decl, fields, extra.as_ref(), &target, &mut bodies);
            }
            DeclKind::Newtype { inner, .. } => {
                let value = self.value(
                    inner,
                    &Place::Value("value.0".into()),
                    &Place::Value("c.value".into()),
                );
                bodies.arena = value.arena;
                let Target { name, rust, .. } = &target;
                bodies.view.open(&format!("{name} {{"));
                bodies.view.line(&format!("value: {},", value.view));
                bodies.view.close("}");
                let read = value.read.unwrap();
                bodies.read.enclosed(&format!("Ok({rust}("), &read, "))");
            }
            DeclKind::Union {
                union_name,
                branches,
                ..
            } => self.union(
                branches,
                &ident(union_name).to_string(),
                &target,
                &mut bodies,
            ),
            DeclKind::Tuple { positions } => self.tuple(positions, decl, &target, &mut bodies),
            DeclKind::Map { value } => self.map(value, decl, &target, &mut bodies),
            DeclKind::Optional { value } => self.optional(value, &target, &mut bodies),
        }
        // Nested values recurse through the read: the guard bounds how deep C can make them.
        let depth = matches!(
            decl.kind,
            DeclKind::Record { .. } | DeclKind::Newtype { .. } | DeclKind::Union { .. }
        );
        Some(functions(&target, bodies, depth))
    }

    /// A value of type `ty` at `rust` (Rust side) and at `c` (C side).
    fn value(&self, ty: &Ty, rust: &Place, c: &Place) -> Value {
        let (copy, by_ref) = (rust.copy(), rust.by_ref());
        let (c_copy, c_ref) = (c.copy(), c.by_ref());
        let plain = |view, read| Value {
            view,
            read: Read::Plain(read),
            arena: false,
        };
        let checked = |view, read: String, arena| Value {
            view,
            read: Read::Checked(Chain::new(read)),
            arena,
        };
        match ty {
            Ty::Bool => plain(format!("u8::from({copy})"), format!("{c_copy} != 0")),
            Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64 | Ty::F64 => plain(copy, c_copy),
            Ty::Unit => plain("0u8".into(), "()".into()),
            Ty::String => checked(
                format!("arena.str({by_ref})"),
                format!("unsafe {{ ffi::read_str({c_copy}) }}"),
                true,
            ),
            Ty::Value => checked(
                format!("arena.json({by_ref})"),
                format!("unsafe {{ ffi::read_json({c_copy}) }}"),
                true,
            ),
            Ty::Boxed(id) => {
                let part = self.view.item_part(*id);
                let read = Chain::new(format!("unsafe {{ ffi::read_ref({c_copy}) }}"))
                    .then(format!(
                        ".and_then(|target| unsafe {{ read_{part}(target) }})"
                    ))
                    .then(".map(Box::new)");
                Value {
                    view: format!(
                        "{{\n    let target = view_{part}({by_ref}, arena);\n    arena.boxed(target)\n}}"
                    ),
                    read: Read::Checked(read),
                    arena: true,
                }
            }
            _ => {
                let part = self.view.part(ty);
                if self.is_enum(ty) {
                    checked(
                        format!("view_{part}({by_ref})"),
                        format!("read_{part}({c_copy})"),
                        false,
                    )
                } else {
                    checked(
                        format!("view_{part}({by_ref}, arena)"),
                        format!("unsafe {{ read_{part}({c_ref}) }}"),
                        true,
                    )
                }
            }
        }
    }

    fn is_enum(&self, ty: &Ty) -> bool {
        matches!(ty, Ty::Named(id) if matches!(self.view.items.get(*id).shape, Shape::Enum(_)))
    }

    fn enumeration(&self, constants: &[Constant], target: &Target) -> Functions {
        let Target {
            name,
            rust,
            view_fn,
            read_fn,
            type_name,
        } = target;
        let mut view = Writer::new(1);
        view.signature(
            &format!("fn {view_fn}"),
            &[format!("value: &{rust}")],
            &format!(" -> {name}"),
        );
        view.open("match value {");
        let mut read = Writer::new(1);
        read.signature_result(
            &format!("fn {read_fn}"),
            &[format!("value: {name}")],
            rust,
            "ffi::ReadError",
        );
        read.open("match value {");
        for constant in constants {
            let (variant, n) = (self.rust.ident(&constant.variant), constant.value);
            view.line(&format!("{rust}::{variant} => {n}i32,"));
            read.line(&format!("{n}i32 => Ok({rust}::{variant}),"));
        }
        unknown_arm(&mut read, type_name, "");
        for w in [&mut view, &mut read] {
            w.close("}");
            w.close("}");
        }
        Functions {
            view: view.finish(),
            read: read.finish(),
        }
    }

    fn record(
        &self,
        decl: &Decl,
        fields: &[FieldSlots],
        extra: Option<&ExtraSlot>,
        Target { name, rust, .. }: &Target,
        bodies: &mut Bodies,
    ) {
        let Bodies { view, read, arena } = bodies;
        view.open(&format!("{name} {{"));
        read.open(&format!("Ok({rust} {{"));
        for field in fields {
            let rust_member = self.rust.ident(&field.field);
            let member = ident(&decl.slots[field.value].name);
            let wire = text::string(&field.wire);
            match field.has {
                Some(has) => {
                    let has = ident(&decl.slots[has].name).to_string();
                    let names = (rust_member.to_string(), member.to_string(), has, wire);
                    *arena |= self.optional_field(&field.ty, names, view, read);
                }
                None => {
                    let value = self.value(
                        &field.ty,
                        &Place::Value(format!("value.{rust_member}")),
                        &Place::Value(format!("c.{member}")),
                    );
                    *arena |= value.arena;
                    view.line(&format!("{member}: {},", value.view));
                    read.chain(&format!("{rust_member}: "), &value.read.at(&wire), ",");
                }
            }
        }
        if let Some(extra) = extra {
            let member = ident(&decl.slots[extra.slot].name);
            let value = self.value(
                &Ty::Map(Box::new(extra.value.clone())),
                &Place::Value("value.additional_properties".into()),
                &Place::Value(format!("c.{member}")),
            );
            *arena |= value.arena;
            view.line(&format!("{member}: {},", value.view));
            read.chain("additional_properties: ", &value.read.unwrap(), ",");
        }
        view.close("}");
        read.close("})");
    }

    /// A closed tuple: position `i` is the member `item_i`, and a failure
    /// reading it back is located at index `i`.
    fn tuple(
        &self,
        positions: &[Ty],
        decl: &Decl,
        Target { name, .. }: &Target,
        bodies: &mut Bodies,
    ) {
        let Bodies { view, read, arena } = bodies;
        view.open(&format!("{name} {{"));
        read.open("Ok((");
        for (i, ty) in positions.iter().enumerate() {
            let member = ident(&decl.slots[i].name);
            let value = self.value(
                ty,
                &Place::Value(format!("value.{i}")),
                &Place::Value(format!("c.{member}")),
            );
            *arena |= value.arena;
            view.line(&format!("{member}: {},", value.view));
            read.chain("", &value.read.at(&format!("{i}usize")), ",");
        }
        view.close("}");
        read.close("))");
    }

    /// An optional field: its `has_` flag and its value, read back only
    /// when the flag is set. `names` are the Rust field, the value member,
    /// the flag member and the wire name's literal. Returns whether the
    /// view allocates.
    fn optional_field(
        &self,
        ty: &Ty,
        (rust_member, member, has, wire): (String, String, String, String),
        view: &mut Writer,
        read: &mut Writer,
    ) -> bool {
        let value = self.value(
            ty,
            &Place::Ref("item".into()),
            &Place::Value(format!("c.{member}")),
        );
        // An enum's view is a function of the reference alone: pass it as is.
        let function = if self.is_enum(ty) {
            format!("view_{}", self.view.part(ty))
        } else {
            format!("|{}| {}", binding(ty, "item"), value.view)
        };
        let check = match value.read {
            Read::Plain(e) => Chain::new(format!("Ok({e})")),
            Read::Checked(e) => e,
        };
        view.line(&format!("{has}: u8::from(value.{rust_member}.is_some()),"));
        view.call(
            &format!("{member}: value.{rust_member}.as_ref().map_or_else"),
            &["ffi::zeroed".to_string(), function],
            ",",
        );
        let check = read.argument("|| ", &check);
        read.call(
            &format!("{rust_member}: ffi::optional"),
            &[wire, format!("c.{has}"), check],
            "?,",
        );
        value.arena
    }

    fn union(&self, branches: &[Branch], union_name: &str, target: &Target, bodies: &mut Bodies) {
        let Target {
            name,
            rust,
            type_name,
            ..
        } = target;
        let Bodies { view, read, arena } = bodies;
        view.open("match value {");
        read.open("match c.tag {");
        for branch in branches {
            let variant = self.rust.ident(&branch.tag.variant);
            let member = ident(&branch.member.name);
            let tag = branch.tag.value;
            let value = self.value(
                &branch.ty,
                &Place::Ref("item".into()),
                &Place::Ref("member".into()),
            );
            *arena |= value.arena;
            let item = binding(&branch.ty, "item");
            view.open(&format!("{rust}::{variant}({item}) => {name} {{"));
            view.line(&format!("tag: {tag}i32,"));
            view.open(&format!("value: {union_name} {{"));
            view.line(&format!("{member}: {},", value.view));
            view.close("},");
            view.close("},");
            read.open(&format!("{tag}i32 => {{"));
            if !matches!(branch.ty, Ty::Unit) {
                read.line("// SAFETY: the tag says which member C set.");
                read.line(&format!("let member = unsafe {{ &c.value.{member} }};"));
            }
            read.enclosed(
                &format!("Ok({rust}::{variant}("),
                &value.read.unwrap(),
                "))",
            );
            read.close("}");
        }
        view.close("}");
        unknown_arm(read, type_name, ".at(\"tag\")");
        read.close("}");
    }

    fn array(&self, elem: &Ty, target: &Target) -> Functions {
        let value = self.value(elem, &Place::Ref("item".into()), &Place::Ref("item".into()));
        Functions {
            view: self.array_view(elem, &value, target),
            read: array_read(elem, value.read, target),
        }
    }

    fn array_view(
        &self,
        elem: &Ty,
        value: &Value,
        Target { name, view_fn, .. }: &Target,
    ) -> String {
        let elem_c = self.c_ty(&self.view.c_ty(elem));
        let elem_rust = self.rust_ty(elem);
        let mut view = Writer::new(1);
        view.signature(
            &format!("fn {view_fn}"),
            &[
                format!("value: &[{elem_rust}]"),
                "arena: &mut ffi::Arena".into(),
            ],
            &format!(" -> {name}"),
        );
        let arena = if value.arena { "arena" } else { "_" };
        // A block is the closure's body as it is; a long call goes on a line of its own.
        let closure = format!("|{arena}, {}| -> {elem_c}", binding(elem, "item"));
        let fill = if value.view.starts_with('{') {
            format!("{closure} {}", value.view)
        } else if view.fits_deeper(closure.len() + value.view.len() + 6) {
            format!("{closure} {{ {} }}", value.view)
        } else {
            format!("{closure} {{\n    {}\n}}", value.view)
        };
        view.call(
            "let (ptr, len) = arena.fill",
            &["value.iter()".into(), fill],
            ";",
        );
        view.line(&format!("{name} {{ ptr, len }}"));
        view.close("}");
        view.finish()
    }

    fn map(&self, value_ty: &Ty, decl: &Decl, Target { name, .. }: &Target, bodies: &mut Bodies) {
        let entry = format!("{}_entry", decl.name);
        let value = self.value(
            value_ty,
            &Place::Ref("item".into()),
            &Place::Value("entry.value".into()),
        );
        let Bodies { view, read, arena } = bodies;
        *arena = true;
        view.open(&format!(
            "let (ptr, len) = arena.fill(value.iter(), |arena, (key, {})| {entry} {{",
            binding(value_ty, "item")
        ));
        view.line("key: arena.str(key),");
        view.line(&format!("value: {},", value.view));
        view.close("});");
        view.line(&format!("{name} {{ ptr, len }}"));
        read.line("// SAFETY: the caller promises `ptr` is NULL or points to `len` entries.");
        read.line("let entries = unsafe { ffi::read_slice(c.ptr, c.len) }?;");
        read.line("let mut out = ::std::collections::BTreeMap::new();");
        read.open("for (index, entry) in entries.iter().enumerate() {");
        read.line("let key = unsafe { ffi::read_str(entry.key) }.map_err(|e| e.at(index))?;");
        read.open("if out.contains_key(&key) {");
        read.line("return Err(ffi::ReadError::new(format!(\"duplicate key `{key}`\")).at(index));");
        read.close("}");
        read.chain("let value = ", &value.read.at("&key"), ";");
        read.line("out.insert(key, value);");
        read.close("}");
        read.line("Ok(out)");
    }

    fn optional(&self, value: &Ty, Target { name, .. }: &Target, bodies: &mut Bodies) {
        let value = self.value(
            value,
            &Place::Ref("item".into()),
            &Place::Value("c.value".into()),
        );
        let Bodies { view, read, arena } = bodies;
        *arena = value.arena;
        view.open("match value {");
        let some = format!(
            "Some(item) => {name} {{ has_value: 1, value: {} }},",
            value.view
        );
        if some.contains('\n') || !view.fits(some.len()) {
            view.open(&format!("Some(item) => {name} {{"));
            view.line("has_value: 1,");
            view.line(&format!("value: {},", value.view));
            view.close("},");
        } else {
            view.line(&some);
        }
        view.line("None => ffi::zeroed(),");
        view.close("}");
        read.open("if c.has_value != 0 {");
        match value.read {
            Read::Plain(e) => read.line(&format!("Ok(Some({e}))")),
            Read::Checked(e) => read.chain("", &e.then(".map(Some)"), ""),
        }
        read.reopen("} else {");
        read.line("Ok(None)");
        read.close("}");
    }
}

/// The match arm of a number C set to none of the constants; `at`
/// locates the failure.
fn unknown_arm(w: &mut Writer, type_name: &str, at: &str) {
    let failure = format!("Err(ffi::unknown_constant(other, {type_name}){at})");
    if w.fits("other => ,".len() + failure.len()) {
        w.line(&format!("other => {failure},"));
    } else {
        w.open("other => {");
        let arguments = ["other".to_string(), type_name.to_string()];
        w.call("Err(ffi::unknown_constant", &arguments, &format!("{at})"));
        w.close("}");
    }
}

/// The name a closure or pattern binds a value of `ty` to: `_` for the
/// unit, whose C member is a placeholder byte no code reads.
fn binding<'n>(ty: &Ty, name: &'n str) -> &'n str {
    if matches!(ty, Ty::Unit) {
        "_"
    } else {
        name
    }
}

/// A record without members: C sees one unused byte.
fn empty_record(target: &Target) -> Functions {
    let Target {
        name,
        rust,
        view_fn,
        read_fn,
        ..
    } = target;
    let mut view = Writer::new(1);
    view.signature(
        &format!("fn {view_fn}"),
        &[format!("_value: &{rust}"), "_arena: &mut ffi::Arena".into()],
        &format!(" -> {name}"),
    );
    view.line(&format!("{name} {{ unused_: 0 }}"));
    view.close("}");
    let mut read = Writer::new(1);
    read.signature_result(
        &format!("unsafe fn {read_fn}"),
        &[format!("_c: &{name}")],
        rust,
        "ffi::ReadError",
    );
    read.line(&format!("Ok({rust} {{}})"));
    read.close("}");
    Functions {
        view: view.finish(),
        read: read.finish(),
    }
}

/// The read function's documentation and signature.
fn read_signature(
    w: &mut Writer,
    Target {
        name,
        rust,
        read_fn,
        ..
    }: &Target,
) {
    w.doc("# Safety");
    w.doc("Every pointer inside `c` is NULL or valid for its length.");
    w.signature_result(
        &format!("unsafe fn {read_fn}"),
        &[format!("c: &{name}")],
        rust,
        "ffi::ReadError",
    );
}

fn array_read(elem: &Ty, value: Read, target: &Target) -> String {
    let mut read = Writer::new(1);
    read_signature(&mut read, target);
    read.line("// SAFETY: the caller promises `ptr` is NULL or points to `len` values.");
    read.line("let items = unsafe { ffi::read_slice(c.ptr, c.len) }?;");
    read.line("let mut out = Vec::with_capacity(items.len());");
    // A value read without a check has no failure to locate.
    match value {
        Read::Plain(e) => {
            read.open(&format!("for {} in items {{", binding(elem, "item")));
            read.enclosed("out.push(", &Chain::new(e), ");");
        }
        checked => {
            read.open("for (index, item) in items.iter().enumerate() {");
            read.enclosed("out.push(", &checked.at("index"), ");");
        }
    }
    read.close("}");
    read.line("Ok(out)");
    read.close("}");
    read.finish()
}

/// Both functions around their bodies.
fn functions(target: &Target, bodies: Bodies, depth: bool) -> Functions {
    let Target {
        name,
        rust,
        view_fn,
        ..
    } = target;
    let arena = if bodies.arena { "arena" } else { "_arena" };
    let mut view = Writer::new(1);
    view.signature(
        &format!("fn {view_fn}"),
        &[
            format!("value: &{rust}"),
            format!("{arena}: &mut ffi::Arena"),
        ],
        &format!(" -> {name}"),
    );
    let mut view = view.finish();
    view.push_str(&bodies.view.finish());
    view.push_str("    }\n");
    let mut read = Writer::new(1);
    read_signature(&mut read, target);
    if depth {
        read.line("let _depth = ffi::Depth::enter()?;");
    }
    let mut read = read.finish();
    read.push_str(&bodies.read.finish());
    read.push_str("    }\n");
    Functions { view, read }
}
