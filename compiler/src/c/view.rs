//! The C view of the payload types: one declaration per latest-version
//! item and per composite (array, map, optional) they use, with C names,
//! members and LP64 layouts. Built once from the Rust backend's lowering;
//! the header, the skeleton and the library all read it, so the two sides
//! of the ABI come from one description.

use std::collections::{BTreeMap, BTreeSet};

use super::names::{self, Scope};
use crate::bind::ir::{ItemId, Items, Shape, Ty};
use crate::bind::names::field_name;
use crate::bind::Lowered;
use crate::model::{Kind, Model};

/// The C type of a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CTy {
    Bool,
    I32,
    I64,
    U32,
    U64,
    F64,
    Size,
    Str,
    /// A JSON value as its text (`<prefix>_json`, laid out as a string).
    Json,
    /// `null`: a byte that is always 0.
    Null,
    /// A declaration of this view, by its C name.
    Named(String),
    /// The union of a tagged union declaration (laid out with it).
    Union(String),
    /// `const T *`.
    Ptr(Box<CTy>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub size: usize,
    pub align: usize,
}

/// One member of a struct or union.
#[derive(Debug, Clone)]
pub struct Slot {
    pub name: String,
    pub ty: CTy,
    pub docs: Vec<String>,
    pub offset: usize,
}

/// A named integer constant: an enum value or a union tag.
#[derive(Debug, Clone)]
pub struct Constant {
    pub name: String,
    pub value: i32,
    /// The wire value (enum) or branch (union) it stands for.
    pub wire: String,
    /// The binding name of the Rust variant it stands for.
    pub variant: String,
}

/// Which members of a record hold a Rust field, and what they hold: the
/// library converts from this alone, so a record and its conversions
/// cannot disagree on a field.
#[derive(Debug, Clone)]
pub struct FieldSlots {
    /// The `has_` flag of an optional field.
    pub has: Option<usize>,
    pub value: usize,
    /// The binding name of the Rust field.
    pub field: String,
    pub wire: String,
    /// What the value member holds: the inner type of an optional field.
    pub ty: Ty,
}

/// The member that holds a record's properties beyond the declared ones.
#[derive(Debug, Clone)]
pub struct ExtraSlot {
    pub slot: usize,
    /// The type of each property's value.
    pub value: Ty,
}

/// One branch of a tagged union: its member, its tag and the type it holds.
#[derive(Debug, Clone)]
pub struct Branch {
    pub member: Slot,
    pub tag: Constant,
    pub ty: Ty,
}

#[derive(Debug, Clone)]
pub enum DeclKind {
    Record {
        item: ItemId,
        fields: Vec<FieldSlots>,
        extra: Option<ExtraSlot>,
    },
    Newtype {
        item: ItemId,
        inner: Ty,
    },
    Enum {
        item: ItemId,
        constants: Vec<Constant>,
    },
    /// `struct { int32_t tag; union <name>_value value; }`.
    Union {
        item: ItemId,
        union_name: String,
        branches: Vec<Branch>,
        union_layout: Layout,
    },
    Array {
        elem: Ty,
    },
    /// A closed tuple: one member per position, `item_0`, `item_1`, ...
    Tuple {
        positions: Vec<Ty>,
    },
    Map {
        value: Ty,
    },
    MapEntry {
        value: Ty,
    },
    Optional {
        value: Ty,
    },
}

#[derive(Debug, Clone)]
pub struct Decl {
    /// The C name: `<prefix>_<part>`.
    pub name: String,
    /// The name without the prefix, also what conversion functions are named by.
    pub part: String,
    pub docs: Vec<String>,
    pub kind: DeclKind,
    pub slots: Vec<Slot>,
    pub layout: Layout,
}

impl Decl {
    pub fn is_enum(&self) -> bool {
        matches!(self.kind, DeclKind::Enum { .. })
    }
}

/// One contract as C sees it: its latest version's type and entry points.
#[derive(Debug, Clone)]
pub struct ContractView {
    pub kind: Kind,
    pub name: String,
    pub wire: String,
    pub version: String,
    /// Wire types of the older majors that reach this type by upcast.
    pub older: Vec<String>,
    pub docs: Vec<String>,
    /// `order_created`: names `on_order_created` and `<prefix>_encode_order_created`.
    pub function: String,
    /// `ORDER_CREATED`: names the `_TYPE` and `_VERSION` macros.
    pub macro_name: String,
    pub c_type: String,
    pub item: ItemId,
    /// The Rust alias of the latest version (`OrderCreated`): the message variant.
    pub variant: String,
}

#[derive(Debug)]
pub struct View<'a> {
    pub prefix: String,
    pub upper: String,
    pub items: &'a Items,
    /// Definition order: every by-value member's type comes first.
    pub decls: Vec<Decl>,
    pub contracts: Vec<ContractView>,
    by_part: BTreeMap<String, usize>,
    item_parts: BTreeMap<ItemId, String>,
}

/// Macros and constants the header declares besides the contracts' own.
pub fn fixed_macros(upper: &str) -> Vec<String> {
    let mut taken: Vec<String> = [
        "H",
        "ABI_VERSION",
        "CONTRACTS_HASH",
        "CHECK_ABI",
        "ALIGNOF",
        "STATIC_ASSERT",
        "STR_LIT",
    ]
    .iter()
    .map(|m| format!("{upper}_{m}"))
    .collect();
    taken.extend(
        evc_runtime::ffi::Status::ALL
            .iter()
            .map(|s| format!("{upper}_STATUS_{}", s.name())),
    );
    taken
}

impl<'a> View<'a> {
    pub fn build(model: &Model, lowered: &'a Lowered, prefix: &str) -> View<'a> {
        let upper = names::upper(prefix);
        let mut view = View {
            prefix: prefix.to_string(),
            upper: upper.clone(),
            items: &lowered.items,
            decls: Vec::new(),
            contracts: Vec::new(),
            by_part: BTreeMap::new(),
            item_parts: BTreeMap::new(),
        };
        let mut macros = names::scope(fixed_macros(&upper));
        let mut functions = Scope::default();
        for (index, alias) in &lowered.latest {
            let contract = &model.contracts[*index];
            let roots: Vec<_> = lowered
                .roots
                .iter()
                .filter(|r| r.contract == *index)
                .collect();
            let Some(latest) = roots.last() else { continue };
            view.item_parts.insert(latest.item, alias.clone());
            let function = functions.claim(field_name(&contract.name.value));
            let function = function.trim_start_matches("r#").to_string();
            let version = &contract.versions[latest.version];
            view.contracts.push(ContractView {
                kind: contract.kind,
                name: contract.name.value.clone(),
                wire: contract.wire_type(latest.major),
                version: version
                    .version
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                older: roots[..roots.len() - 1]
                    .iter()
                    .map(|r| contract.wire_type(r.major))
                    .collect(),
                docs: contract
                    .description
                    .iter()
                    .flat_map(|d| d.lines().map(str::to_string))
                    .collect(),
                macro_name: macros.claim_with(
                    format!("{upper}_{}", names::upper(&function)),
                    &["_TYPE", "_VERSION"],
                ),
                function,
                c_type: format!("{prefix}_{alias}"),
                item: latest.item,
                variant: alias.clone(),
            });
        }
        let mut collect = Collector {
            view: &mut view,
            macros: &mut macros,
            decls: Vec::new(),
            started: BTreeSet::new(),
        };
        let roots: Vec<ItemId> = collect.view.contracts.iter().map(|c| c.item).collect();
        for item in roots {
            collect.ty(&Ty::Named(item));
        }
        let decls = std::mem::take(&mut collect.decls);
        view.decls = order(decls);
        view.by_part = view
            .decls
            .iter()
            .enumerate()
            .map(|(i, d)| (d.part.clone(), i))
            .collect();
        view.lay_out();
        view
    }

    /// The declaration named `<prefix>_<part>`.
    pub fn decl(&self, part: &str) -> Option<&Decl> {
        self.by_part.get(part).map(|&i| &self.decls[i])
    }

    /// The C name of an item, without the prefix: the contract's own name
    /// for a latest version, the Rust name otherwise.
    pub fn item_part(&self, item: ItemId) -> String {
        self.item_parts
            .get(&item)
            .cloned()
            .unwrap_or_else(|| self.items.get(item).name.clone())
    }

    /// The name fragment of a type, unique per Rust type.
    pub fn part(&self, ty: &Ty) -> String {
        match ty {
            Ty::Bool => "bool".into(),
            Ty::I32 => "int32".into(),
            Ty::I64 => "int64".into(),
            Ty::U32 => "uint32".into(),
            Ty::U64 => "uint64".into(),
            Ty::F64 => "double".into(),
            Ty::String => "str".into(),
            Ty::Value => "json".into(),
            Ty::Unit => "null".into(),
            Ty::Named(id) => self.item_part(*id),
            Ty::Boxed(id) => format!("{}_ref", self.item_part(*id)),
            Ty::Vec(inner) => format!("{}_array", self.part(inner)),
            Ty::Tuple(positions) => {
                let parts: Vec<String> = positions.iter().map(|p| self.part(p)).collect();
                format!("{}_tuple", parts.join("_"))
            }
            Ty::Map(inner) => format!("{}_map", self.part(inner)),
            Ty::Option(inner) => format!("{}_opt", self.part(inner)),
        }
    }

    /// The C type holding a value of `ty` (an optional outside a record
    /// field is its `_opt` struct).
    pub fn c_ty(&self, ty: &Ty) -> CTy {
        match ty {
            Ty::Bool => CTy::Bool,
            Ty::I32 => CTy::I32,
            Ty::I64 => CTy::I64,
            Ty::U32 => CTy::U32,
            Ty::U64 => CTy::U64,
            Ty::F64 => CTy::F64,
            Ty::String => CTy::Str,
            Ty::Value => CTy::Json,
            Ty::Unit => CTy::Null,
            Ty::Boxed(id) => CTy::Ptr(Box::new(self.named(&self.item_part(*id)))),
            Ty::Named(_) | Ty::Vec(_) | Ty::Tuple(_) | Ty::Map(_) | Ty::Option(_) => {
                self.named(&self.part(ty))
            }
        }
    }

    fn named(&self, part: &str) -> CTy {
        CTy::Named(format!("{}_{part}", self.prefix))
    }

    pub fn layout_of(&self, ty: &CTy) -> Layout {
        let scalar = |n| Layout { size: n, align: n };
        match ty {
            CTy::Bool | CTy::Null => scalar(1),
            CTy::I32 | CTy::U32 => scalar(4),
            CTy::I64 | CTy::U64 | CTy::F64 | CTy::Size | CTy::Ptr(_) => scalar(8),
            CTy::Str | CTy::Json => Layout { size: 16, align: 8 },
            CTy::Named(name) => {
                let part = &name[self.prefix.len() + 1..];
                self.decl(part).map_or(scalar(1), |d| d.layout)
            }
            // Computed with the union's declaration in `lay_out`.
            CTy::Union(_) => scalar(1),
        }
    }

    /// LP64 layouts, in definition order so members' layouts are known.
    fn lay_out(&mut self) {
        for index in 0..self.decls.len() {
            let mut decl = self.decls[index].clone();
            let mut layout = place(self, &mut decl.slots);
            if let DeclKind::Union {
                branches,
                union_layout,
                ..
            } = &mut decl.kind
            {
                let mut size = 0;
                let mut align = 1;
                for branch in branches.iter_mut() {
                    let l = self.layout_of(&branch.member.ty);
                    branch.member.offset = 0;
                    size = size.max(l.size);
                    align = align.max(l.align);
                }
                *union_layout = Layout {
                    size: size.next_multiple_of(align),
                    align,
                };
                // The tag, then the union.
                layout = Layout {
                    size: (4usize.next_multiple_of(align) + union_layout.size)
                        .next_multiple_of(align.max(4)),
                    align: align.max(4),
                };
                decl.slots[1].offset = 4usize.next_multiple_of(align);
            }
            if decl.is_enum() {
                layout = Layout { size: 4, align: 4 };
            }
            decl.layout = layout;
            self.decls[index] = decl;
        }
    }
}

/// C struct layout: each member at the next multiple of its alignment.
fn place(view: &View<'_>, slots: &mut [Slot]) -> Layout {
    let mut offset = 0usize;
    let mut align = 1;
    for slot in slots.iter_mut() {
        let l = view.layout_of(&slot.ty);
        offset = offset.next_multiple_of(l.align);
        slot.offset = offset;
        offset += l.size;
        align = align.max(l.align);
    }
    Layout {
        size: offset.next_multiple_of(align),
        align,
    }
}

/// Walks the types reachable from the contracts and declares each once.
struct Collector<'v, 'a> {
    view: &'v mut View<'a>,
    macros: &'v mut Scope,
    decls: Vec<Decl>,
    started: BTreeSet<String>,
}

impl Collector<'_, '_> {
    fn ty(&mut self, ty: &Ty) {
        let part = self.view.part(ty);
        match ty {
            Ty::Boxed(id) => return self.ty(&Ty::Named(*id)),
            Ty::Named(_) | Ty::Vec(_) | Ty::Tuple(_) | Ty::Map(_) | Ty::Option(_) => {}
            _ => return,
        }
        if !self.started.insert(part.clone()) {
            return;
        }
        let decl = match ty {
            Ty::Named(id) => self.item(*id, part),
            Ty::Vec(elem) => {
                self.ty(elem);
                let slots = vec![
                    self.slot("ptr", CTy::Ptr(Box::new(self.view.c_ty(elem)))),
                    self.slot("len", CTy::Size),
                ];
                self.decl(
                    part,
                    Vec::new(),
                    DeclKind::Array {
                        elem: (**elem).clone(),
                    },
                    slots,
                )
            }
            Ty::Tuple(positions) => {
                positions.iter().for_each(|p| self.ty(p));
                let slots = positions
                    .iter()
                    .enumerate()
                    .map(|(i, p)| self.slot(&format!("item_{i}"), self.view.c_ty(p)))
                    .collect();
                let kind = DeclKind::Tuple {
                    positions: positions.clone(),
                };
                self.decl(part, Vec::new(), kind, slots)
            }
            Ty::Map(value) => {
                self.ty(value);
                let entry = format!("{part}_entry");
                let entry_slots = vec![
                    self.slot("key", CTy::Str),
                    self.slot("value", self.view.c_ty(value)),
                ];
                let entry_decl = self.decl(
                    entry.clone(),
                    vec![" One key and its value.".into()],
                    DeclKind::MapEntry {
                        value: (**value).clone(),
                    },
                    entry_slots,
                );
                self.decls.push(entry_decl);
                let slots = vec![
                    self.slot("ptr", CTy::Ptr(Box::new(self.view.named(&entry)))),
                    self.slot("len", CTy::Size),
                ];
                self.decl(
                    part,
                    Vec::new(),
                    DeclKind::Map {
                        value: (**value).clone(),
                    },
                    slots,
                )
            }
            Ty::Option(value) => {
                self.ty(value);
                let slots = vec![
                    self.slot("has_value", CTy::Bool),
                    self.slot("value", self.view.c_ty(value)),
                ];
                self.decl(
                    part,
                    Vec::new(),
                    DeclKind::Optional {
                        value: (**value).clone(),
                    },
                    slots,
                )
            }
            _ => return,
        };
        self.decls.push(decl);
    }

    fn slot(&self, name: &str, ty: CTy) -> Slot {
        Slot {
            name: name.to_string(),
            ty,
            docs: Vec::new(),
            offset: 0,
        }
    }

    fn decl(&self, part: String, docs: Vec<String>, kind: DeclKind, slots: Vec<Slot>) -> Decl {
        Decl {
            name: format!("{}_{part}", self.view.prefix),
            part,
            docs,
            kind,
            slots,
            layout: Layout { size: 0, align: 1 },
        }
    }

    /// The constant `<stem>_<VARIANT>` of an enum value or a union tag.
    fn constant(&mut self, stem: &str, value: i32, variant: &str, wire: &str) -> Constant {
        Constant {
            name: self
                .macros
                .claim(format!("{stem}_{}", names::upper(variant))),
            value,
            wire: wire.to_string(),
            variant: variant.to_string(),
        }
    }

    fn item(&mut self, id: ItemId, part: String) -> Decl {
        let items = self.view.items;
        let item = items.get(id);
        let docs = item.docs.clone();
        match &item.shape {
            Shape::Struct(s) => {
                let mut scope = names::scope([]);
                let mut slots = Vec::new();
                let mut fields = Vec::new();
                for field in &s.fields {
                    let name = scope.claim(names::member(&field.ident));
                    let (has, ty) = match &field.ty {
                        Ty::Option(inner) => (Some(scope.claim(format!("has_{name}"))), &**inner),
                        ty => (None, ty),
                    };
                    self.ty(ty);
                    let has = has.map(|has| {
                        slots.push(Slot {
                            docs: vec![format!(" Whether `{name}` is set.")],
                            ..self.slot(&has, CTy::Bool)
                        });
                        slots.len() - 1
                    });
                    slots.push(Slot {
                        docs: field.docs.clone(),
                        ..self.slot(&name, self.view.c_ty(ty))
                    });
                    fields.push(FieldSlots {
                        has,
                        value: slots.len() - 1,
                        field: field.ident.clone(),
                        wire: field.wire.clone(),
                        ty: ty.clone(),
                    });
                }
                let extra = s.extra.as_ref().map(|value| {
                    let map = Ty::Map(Box::new(value.clone()));
                    self.ty(&map);
                    let name = scope.claim("additional_properties".into());
                    slots.push(Slot {
                        docs: vec![" Properties beyond the declared ones.".into()],
                        ..self.slot(&name, self.view.c_ty(&map))
                    });
                    ExtraSlot {
                        slot: slots.len() - 1,
                        value: value.clone(),
                    }
                });
                if slots.is_empty() {
                    // C has no empty structs; the byte keeps the type complete.
                    slots.push(Slot {
                        docs: vec![" Always 0: the payload has no properties.".into()],
                        ..self.slot("unused_", CTy::Null)
                    });
                }
                self.decl(
                    part,
                    docs,
                    DeclKind::Record {
                        item: id,
                        fields,
                        extra,
                    },
                    slots,
                )
            }
            Shape::Newtype(inner) => {
                self.ty(inner);
                let slots = vec![self.slot("value", self.view.c_ty(inner))];
                let kind = DeclKind::Newtype {
                    item: id,
                    inner: inner.clone(),
                };
                self.decl(part, docs, kind, slots)
            }
            Shape::Enum(variants) => {
                let stem = format!("{}_{}", self.view.upper, names::upper(&part));
                let constants = variants
                    .iter()
                    .zip(1..)
                    .map(|(v, value)| self.constant(&stem, value, &v.ident, &v.wire))
                    .collect();
                self.decl(
                    part,
                    docs,
                    DeclKind::Enum {
                        item: id,
                        constants,
                    },
                    Vec::new(),
                )
            }
            Shape::Union(u) => {
                let stem = format!("{}_{}", self.view.upper, names::upper(&part));
                let mut scope = names::scope([]);
                let mut branches = Vec::new();
                for (v, value) in u.variants.iter().zip(1..) {
                    self.ty(&v.data.ty);
                    let name = scope.claim(names::member(&heck::ToSnakeCase::to_snake_case(
                        v.ident.as_str(),
                    )));
                    branches.push(Branch {
                        member: self.slot(&name, self.view.c_ty(&v.data.ty)),
                        tag: self.constant(&stem, value, &v.ident, &v.wire),
                        ty: v.data.ty.clone(),
                    });
                }
                let union_name = format!("{}_{part}_value", self.view.prefix);
                let slots = vec![
                    Slot {
                        docs: vec![format!(
                            " Which member of `value` is set: one of `{stem}_*`."
                        )],
                        ..self.slot("tag", CTy::I32)
                    },
                    self.slot("value", CTy::Union(union_name.clone())),
                ];
                let kind = DeclKind::Union {
                    item: id,
                    union_name,
                    branches,
                    union_layout: Layout { size: 0, align: 1 },
                };
                self.decl(part, docs, kind, slots)
            }
        }
    }
}

/// Orders declarations so each follows the types it holds by value;
/// otherwise the order they were met in.
fn order(decls: Vec<Decl>) -> Vec<Decl> {
    let position: BTreeMap<String, usize> = decls
        .iter()
        .enumerate()
        .map(|(i, d)| (d.name.clone(), i))
        .collect();
    let mut done = vec![false; decls.len()];
    let mut sorted = Vec::with_capacity(decls.len());
    fn visit(
        i: usize,
        decls: &[Decl],
        position: &BTreeMap<String, usize>,
        done: &mut [bool],
        sorted: &mut Vec<usize>,
    ) {
        if done[i] {
            return;
        }
        done[i] = true;
        let mut held: Vec<&CTy> = decls[i].slots.iter().map(|s| &s.ty).collect();
        if let DeclKind::Union { branches, .. } = &decls[i].kind {
            held.extend(branches.iter().map(|b| &b.member.ty));
        }
        for ty in held {
            if let CTy::Named(name) = ty {
                if let Some(&j) = position.get(name) {
                    visit(j, decls, position, done, sorted);
                }
            }
        }
        sorted.push(i);
    }
    for i in 0..decls.len() {
        visit(i, &decls, &position, &mut done, &mut sorted);
    }
    let mut slots: Vec<Option<Decl>> = decls.into_iter().map(Some).collect();
    sorted.into_iter().filter_map(|i| slots[i].take()).collect()
}
