//! The payload types as the backends see them: which schemas become named
//! items (structs, enums, unions, newtypes), and the type of every value.
//! Built once by [`super::lower`]; every backend reads it.

use serde_json::Value as Json;

use crate::model::SchemaId;

/// Index of an item in [`Items`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemId(pub usize);

/// The type of a value, in the terms of Rust's (the widest integer a
/// schema allows, `Option` for what may be absent).
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Bool,
    I32,
    I64,
    U32,
    U64,
    F64,
    String,
    /// `null`.
    Unit,
    /// Anything: no single type could be given.
    Value,
    Vec(Box<Ty>),
    /// A closed tuple (`prefixItems` with `items: false`, every position
    /// required): `(A, B)`, one type per position.
    Tuple(Vec<Ty>),
    Map(Box<Ty>),
    Option(Box<Ty>),
    Named(ItemId),
    /// A named item held through a `Box` to cut a recursive type.
    Boxed(ItemId),
}

impl Ty {
    pub fn is_integer(&self) -> bool {
        matches!(self, Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64)
    }
}

/// A generated item: one type declaration.
#[derive(Debug, Clone)]
pub struct Item {
    pub name: String,
    /// The schema the item stands for; its checks come from here.
    pub schema: SchemaId,
    pub docs: Vec<String>,
    pub deprecated: bool,
    pub shape: Shape,
}

#[derive(Debug, Clone)]
pub enum Shape {
    Struct(Struct),
    /// A payload (or definition) that is not an object: `struct X(pub T)`.
    Newtype(Ty),
    /// A string `enum`: unit variants renamed to their wire values.
    Enum(Vec<Variant<()>>),
    /// `oneOf` / `anyOf`, or a `type` list of several types.
    Union(Union),
}

#[derive(Debug, Clone)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties: false`: unknown properties are refused.
    pub closed: bool,
    /// `additionalProperties: <schema>` beside declared properties: the rest
    /// is kept in a flattened map of these values. An open object whose
    /// property count or dependencies are checked keeps the rest as JSON.
    pub extra: Option<Ty>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub ident: String,
    pub wire: String,
    pub ty: Ty,
    pub required: bool,
    /// The type admits `null` itself (`Option<T>` before any optionality).
    pub nullable: bool,
    /// Every schema the property must satisfy (more than one after `allOf`).
    pub schemas: Vec<SchemaId>,
    pub docs: Vec<String>,
    pub deprecated: bool,
    /// A scalar default: documented on the field, and filled in when the
    /// property is absent if `defaulted`.
    pub default: Option<Json>,
    /// The field is `T`, not `Option<T>`: an absent property reads as `default`.
    pub defaulted: bool,
}

#[derive(Debug, Clone)]
pub struct Variant<T> {
    pub ident: String,
    /// The value on the wire: a string enum's value, a union branch's tag
    /// value, or for a `type`-list union the JSON type's name.
    pub wire: String,
    pub data: T,
}

#[derive(Debug, Clone)]
pub struct Union {
    /// `oneOf` (exactly one branch) rather than `anyOf` (at least one).
    pub exclusive: bool,
    /// The discriminating property when every branch is an inline object
    /// with a distinct `const` string for it.
    pub tag: Option<String>,
    /// The branches are the JSON types of a `type` list (`["string",
    /// "integer"]`): a value goes to the branch of its own JSON type, and
    /// every branch is checked against the whole schema (`minLength` speaks
    /// to the string branch, `minimum` to the number one).
    pub by_type: bool,
    pub variants: Vec<Variant<Branch>>,
}

#[derive(Debug, Clone)]
pub struct Branch {
    pub ty: Ty,
    pub schema: SchemaId,
}

/// Every item of a generated file, in emission order.
#[derive(Debug, Clone, Default)]
pub struct Items {
    items: Vec<Item>,
}

impl Items {
    pub fn reserve(&mut self, name: String, schema: SchemaId) -> ItemId {
        self.items.push(Item {
            name,
            schema,
            docs: Vec::new(),
            deprecated: false,
            shape: Shape::Newtype(Ty::Value),
        });
        ItemId(self.items.len() - 1)
    }

    pub fn get(&self, id: ItemId) -> &Item {
        &self.items[id.0]
    }

    pub fn get_mut(&mut self, id: ItemId) -> &mut Item {
        &mut self.items[id.0]
    }

    pub fn iter(&self) -> impl Iterator<Item = (ItemId, &Item)> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, item)| (ItemId(i), item))
    }
}
