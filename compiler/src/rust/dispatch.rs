//! The typed dispatch table over a set of contracts: `Event` and `Command`
//! enums of the latest versions, handler traits, a `Bus` of closures, and
//! `decode`/`dispatch` entry points that route on the CloudEvents `type`
//! with a `match` on static strings.
//!
//! The table's entry points carry `allow(dead_code)`: the bindings land in
//! the user's crate, often in a binary's private module, where using only
//! part of the table is the user's choice, not a defect to warn about. The
//! payload types stay reachable through `Message`, so they need no allow.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::emit::{doc_attrs, ident};
use crate::bind::names::{field_name, Scope};
use crate::bind::Lowered;
use crate::model::{Kind, Model};

/// An older major of a contract.
struct Older {
    wire: String,
    /// The types from this major to the latest, when every step between
    /// them has an upcast.
    chain: Option<Vec<Ident>>,
}

/// One contract as the table sees it.
struct Route {
    kind: Kind,
    /// The `Event`/`Command` variant and the alias of the latest version.
    variant: Ident,
    /// Handler method and bus field.
    method: Ident,
    /// The latest version's type and wire type.
    latest: Ident,
    /// The latest version's type, or one on an upcast chain to it, is
    /// deprecated.
    deprecated: bool,
    wire: String,
    prefix: String,
    /// Older majors, each routed through its upcast chain.
    older: Vec<Older>,
    docs: TokenStream,
}

pub fn table(model: &Model, lowered: &Lowered, rt: &TokenStream) -> TokenStream {
    let routes = routes(model, lowered);
    if routes.is_empty() {
        return TokenStream::new();
    }
    let enums = message_enums(&routes, rt);
    let decode = decode(&routes, rt);
    let handlers = handler_traits(&routes, rt);
    let bus = bus(&routes, rt);
    quote!(#enums #decode #handlers #bus)
}

fn routes(model: &Model, lowered: &Lowered) -> Vec<Route> {
    let mut methods = Scope::default();
    let mut out = Vec::new();
    let steps = super::upcast::major_steps(model, lowered);
    for (index, alias) in &lowered.latest {
        let contract = &model.contracts[*index];
        let roots: Vec<usize> = (0..lowered.roots.len())
            .filter(|r| lowered.roots[*r].contract == *index)
            .collect();
        let Some(&last) = roots.last() else { continue };
        let latest = &lowered.roots[last];
        let type_of = |root: usize| ident(&lowered.items.get(lowered.roots[root].item).name);
        let deprecated_from = |root: usize| {
            (root..=last).any(|r| lowered.items.get(lowered.roots[r].item).deprecated)
        };
        let older = roots[..roots.len() - 1]
            .iter()
            .map(|&root| Older {
                wire: contract.wire_type(lowered.roots[root].major),
                chain: (root..last)
                    .all(|from| steps.iter().any(|s| s.from == from && s.to == from + 1))
                    .then(|| (root..=last).map(type_of).collect()),
            })
            .collect::<Vec<Older>>();
        let deprecated = std::iter::once(last)
            .chain(
                roots[..roots.len() - 1]
                    .iter()
                    .zip(&older)
                    .filter(|(_, o)| o.chain.is_some())
                    .map(|(&root, _)| root),
            )
            .any(deprecated_from);
        let wire = contract.wire_type(latest.major);
        let prefix = wire[..wire.len() - latest.major.to_string().len()].to_string();
        out.push(Route {
            kind: contract.kind,
            variant: ident(alias),
            method: ident(&methods.claim(field_name(&contract.name.value))),
            latest: ident(&lowered.items.get(latest.item).name),
            deprecated,
            older,
            docs: doc_attrs(&[format!(
                " `{}` ({}, `{wire}`).",
                contract.name.value, contract.kind
            )]),
            wire,
            prefix,
        });
    }
    out
}

/// `#[allow(deprecated)]` for code naming the routes' version types
/// (aliases never warn, so most of the table needs none).
fn allow_deprecated<'r>(routes: impl IntoIterator<Item = &'r Route>) -> Option<TokenStream> {
    super::emit::allow_deprecated(routes.into_iter().any(|r| r.deprecated))
}

fn of_kind(routes: &[Route], kind: Kind) -> impl Iterator<Item = &Route> {
    routes.iter().filter(move |r| r.kind == kind)
}

// The variants hold their payloads by value, so matching a message never
// allocates; how far their sizes differ depends on the contracts, so
// clippy's `large_enum_variant` is allowed rather than met with boxes.
fn message_enums(routes: &[Route], rt: &TokenStream) -> TokenStream {
    let enum_of = |kind: Kind, name: Ident, doc: &str| {
        let variants = of_kind(routes, kind).map(|r| {
            let (docs, variant) = (&r.docs, &r.variant);
            quote!(#docs #variant(#variant),)
        });
        let wires = of_kind(routes, kind).map(|r| {
            let (variant, latest) = (&r.variant, &r.latest);
            quote!(Self::#variant(_) => <#latest as #rt::Contract>::WIRE_TYPE,)
        });
        let doc = Literal::string(doc);
        let serde_path = Literal::string(&format!("{}::serde", super::emit::rt_path_text(rt)));
        let allow = allow_deprecated(of_kind(routes, kind));
        let wire_fn = quote! {
            #[allow(dead_code)]
            #allow
            impl #name {
                /// The CloudEvents `type` of the message.
                pub fn wire_type(&self) -> &'static str {
                    match *self { #(#wires)* }
                }
            }
        };
        quote! {
            #[doc = #doc]
            #[doc = ""]
            #[doc = " Serializes as its payload."]
            #[allow(dead_code, clippy::large_enum_variant)]
            #[derive(Debug, Clone, PartialEq, #rt::serde::Serialize)]
            #[serde(crate = #serde_path, untagged)]
            pub enum #name { #(#variants)* }
            #wire_fn
        }
    };
    let events = enum_of(
        Kind::Event,
        format_ident!("Event"),
        " Every event of the contract set, at its latest version.",
    );
    let commands = enum_of(
        Kind::Command,
        format_ident!("Command"),
        " Every command of the contract set, at its latest version.",
    );
    let serde_path = Literal::string(&format!("{}::serde", super::emit::rt_path_text(rt)));
    quote! {
        #events
        #commands
        /// A decoded message: an event or a command. Serializes as its payload.
        #[allow(dead_code, clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq, #rt::serde::Serialize)]
        #[serde(crate = #serde_path, untagged)]
        pub enum Message {
            Event(Event),
            Command(Command),
        }

        #[allow(dead_code)]
        impl Message {
            /// The CloudEvents `type` of the message.
            pub fn wire_type(&self) -> &'static str {
                match self {
                    Message::Event(event) => event.wire_type(),
                    Message::Command(command) => command.wire_type(),
                }
            }
        }
    }
}

/// Every older major that has an upcast chain: its route, wire type and the
/// types from it to the latest.
fn chains(routes: &[Route]) -> impl Iterator<Item = (&Route, Literal, &[Ident])> {
    routes.iter().flat_map(|r| {
        r.older.iter().filter_map(move |older| {
            let chain = older.chain.as_deref()?;
            Some((r, Literal::string(&older.wire), chain))
        })
    })
}

/// The message holding `payload`, a value of the route's latest type.
fn wrap(r: &Route) -> TokenStream {
    let variant = &r.variant;
    match r.kind {
        Kind::Event => quote!(Message::Event(Event::#variant(payload))),
        Kind::Command => quote!(Message::Command(Command::#variant(payload))),
    }
}

fn decode(routes: &[Route], rt: &TokenStream) -> TokenStream {
    let arms = routes.iter().map(|r| {
        let (wire, latest) = (Literal::string(&r.wire), &r.latest);
        let wrap = wrap(r);
        quote! {
            #wire => {
                let payload = #rt::dispatch::decode_payload::<#latest>(bytes, envelope)?;
                Ok(#wrap)
            }
        }
    });
    let chains = chains(routes).map(|(r, wire, chain)| {
        let first = &chain[0];
        let steps = chain.windows(2).map(|pair| {
            let (old, new) = (&pair[0], &pair[1]);
            quote!(let payload = #rt::dispatch::upcast::<#old, #new>(bytes, envelope, payload)?;)
        });
        let wrap = wrap(r);
        quote! {
            #wire => {
                let payload = #rt::dispatch::decode_payload::<#first>(bytes, envelope)?;
                #(#steps)*
                Ok(#wrap)
            }
        }
    });
    let unsupported: Vec<Literal> = routes
        .iter()
        .flat_map(|r| r.older.iter().filter(|o| o.chain.is_none()))
        .map(|o| Literal::string(&o.wire))
        .collect();
    let older_arm = (!unsupported.is_empty()).then(|| {
        quote! {
            #(#unsupported)|* => Err(#rt::DispatchError::new(
                bytes,
                #rt::Reason::UnsupportedVersion {
                    type_: envelope.ty.to_string(),
                    version: envelope.dataversion.as_deref().unwrap_or_default().to_owned(),
                },
            )),
        }
    });
    let prefixes = routes.iter().map(|r| Literal::string(&r.prefix));
    let router = router(routes, rt);
    let allow = allow_deprecated(routes);
    quote! {
        #router

        /// Wire type prefixes (`<namespace>.<snake_name>.v`) of every contract,
        /// to tell an unknown type from an unsupported major of a known one.
        #[allow(dead_code)]
        const KNOWN_TYPE_PREFIXES: &[&str] = &[#(#prefixes),*];

        /// Parses a structured-mode CloudEvents message and decodes its payload
        /// into the latest version of its contract. Nothing is dropped: every
        /// failure is a `DispatchError` holding the original bytes.
        #[allow(dead_code)]
        pub fn decode(bytes: &[u8]) -> Result<(#rt::Envelope, Message), #rt::DispatchError> {
            let envelope = #rt::dispatch::parse_envelope(bytes)?;
            let message = decode_envelope(bytes, &envelope)?;
            Ok((envelope.to_owned(), message))
        }

        /// Routes an already parsed envelope by its `type`.
        #[allow(dead_code)]
        #allow
        pub fn decode_envelope(
            bytes: &[u8],
            envelope: &#rt::EnvelopeRef<'_>,
        ) -> Result<Message, #rt::DispatchError> {
            match envelope.ty.as_ref() {
                #(#arms)*
                #(#chains)*
                #older_arm
                other => Err(#rt::DispatchError::unmatched(
                    bytes,
                    other,
                    envelope.dataversion.as_deref(),
                    KNOWN_TYPE_PREFIXES,
                )),
            }
        }
    }
}

/// The one-pass decoder (payload read while the envelope is parsed) and
/// `Validate` for the message enums.
fn router(routes: &[Route], rt: &TokenStream) -> TokenStream {
    let arms = routes.iter().map(|r| {
        let (wire, latest) = (Literal::string(&r.wire), &r.latest);
        let wrap = wrap(r);
        quote! {
            #wire => {
                let payload = <#latest as #rt::serde::Deserialize>::deserialize(data)?;
                #wrap
            }
        }
    });
    // An older major is upcast here too; any failure sends the message down
    // the two-pass path, which names it precisely.
    let chains = chains(routes).map(|(r, wire, chain)| {
        let first = &chain[0];
        let steps = chain.windows(2).map(|pair| {
            let (old, new) = (&pair[0], &pair[1]);
            quote!(let payload = #rt::dispatch::routed_upcast::<#old, #new, D::Error>(payload)?;)
        });
        let wrap = wrap(r);
        quote! {
            #wire => {
                let payload = <#first as #rt::serde::Deserialize>::deserialize(data)?;
                let payload = #rt::dispatch::routed_valid::<_, D::Error>(payload)?;
                #(#steps)*
                #wrap
            }
        }
    });
    let validate = |kind: Kind, name: Ident| {
        let arms = of_kind(routes, kind).map(|r| {
            let variant = &r.variant;
            quote!(Self::#variant(ref payload) => #rt::Validate::validate(payload),)
        });
        quote! {
            impl #rt::Validate for #name {
                fn validate(&self) -> Result<(), #rt::Violation> {
                    match *self { #(#arms)* }
                }
            }
        }
    };
    let events = validate(Kind::Event, format_ident!("Event"));
    let commands = validate(Kind::Command, format_ident!("Command"));
    let allow = allow_deprecated(routes);
    quote! {
        /// Decodes a payload while its envelope is parsed, when `type` comes
        /// before `data`: the payload is read once.
        #[allow(dead_code)]
        #[derive(Debug, Clone, Copy, Default)]
        pub struct Router;

        #allow
        impl #rt::Router for Router {
            type Message = Message;

            fn decode<'de, D: #rt::serde::Deserializer<'de>>(
                &self,
                ty: &str,
                data: D,
            ) -> Result<Option<Message>, D::Error> {
                Ok(Some(match ty {
                    #(#arms)*
                    #(#chains)*
                    _ => {
                        <#rt::serde::de::IgnoredAny as #rt::serde::Deserialize>::deserialize(data)?;
                        return Ok(None);
                    }
                }))
            }
        }

        #events
        #commands

        impl #rt::Validate for Message {
            fn validate(&self) -> Result<(), #rt::Violation> {
                match self {
                    Message::Event(event) => #rt::Validate::validate(event),
                    Message::Command(command) => #rt::Validate::validate(command),
                }
            }
        }
    }
}

fn handler_traits(routes: &[Route], rt: &TokenStream) -> TokenStream {
    let event_methods = of_kind(routes, Kind::Event).map(|r| {
        let (docs, method, variant) = (&r.docs, &r.method, &r.variant);
        quote! {
            #docs
            fn #method(&mut self, event: &#variant, ctx: &mut #rt::Context<'_>) -> Result<(), #rt::HandlerError> {
                let _ = (event, ctx);
                Ok(())
            }
        }
    });
    let command_methods = of_kind(routes, Kind::Command).map(|r| {
        let (docs, method, variant) = (&r.docs, &r.method, &r.variant);
        quote! {
            #docs
            fn #method(&mut self, command: #variant, ctx: &mut #rt::Context<'_>) -> Result<(), #rt::HandlerError>;
        }
    });
    let event_arms = of_kind(routes, Kind::Event).map(|r| {
        let (method, variant) = (&r.method, &r.variant);
        quote!(Event::#variant(event) => handler.#method(&event, &mut ctx),)
    });
    let command_arms = of_kind(routes, Kind::Command).map(|r| {
        let (method, variant) = (&r.method, &r.variant);
        quote!(Command::#variant(command) => handler.#method(command, &mut ctx),)
    });
    quote! {
        /// Handles events: one method per event, each a no-op unless overridden.
        #[allow(dead_code)]
        pub trait EventHandler {
            #(#event_methods)*
        }

        /// Handles commands: one required method per command.
        #[allow(dead_code)]
        pub trait CommandHandler {
            #(#command_methods)*
        }

        /// Decodes a message and hands it to `handler`; returns the messages the
        /// handler emitted, stamped with correlation and causation ids.
        #[allow(dead_code, unreachable_code, unused_variables, unused_mut)]
        pub fn dispatch<H: EventHandler + CommandHandler>(
            bytes: &[u8],
            handler: &mut H,
            publisher: &#rt::Publisher,
        ) -> Result<Vec<#rt::Envelope>, #rt::DispatchError> {
            let (envelope, message) = #rt::dispatch::receive(bytes, &Router, decode_envelope)?;
            let mut outgoing = Vec::new();
            let mut ctx = #rt::Context::new(&envelope, publisher, &mut outgoing);
            let result = match message {
                Message::Event(event) => match event { #(#event_arms)* },
                Message::Command(command) => match command { #(#command_arms)* },
            };
            result.map_err(|source| #rt::DispatchError::new(
                bytes,
                #rt::Reason::HandlerFailed { type_: envelope.ty.to_string(), source },
            ))?;
            Ok(outgoing)
        }
    }
}

fn bus(routes: &[Route], rt: &TokenStream) -> TokenStream {
    let fields = routes.iter().map(|r| {
        let (method, variant) = (&r.method, &r.variant);
        match r.kind {
            Kind::Event => quote!(#method: #rt::Subscribers<#variant>,),
            Kind::Command => quote!(#method: #rt::CommandSlot<#variant>,),
        }
    });
    let inits = routes.iter().map(|r| {
        let method = &r.method;
        quote!(#method: Default::default(),)
    });
    let routes_impls = routes.iter().map(|r| {
        let (method, variant) = (&r.method, &r.variant);
        match r.kind {
            Kind::Event => quote! {
                impl #rt::EventRoute<#variant> for Bus {
                    fn subscribers(&mut self) -> &mut #rt::Subscribers<#variant> { &mut self.#method }
                }
            },
            Kind::Command => quote! {
                impl #rt::CommandRoute<#variant> for Bus {
                    fn slot(&mut self) -> &mut #rt::CommandSlot<#variant> { &mut self.#method }
                }
            },
        }
    });
    let event_arms = of_kind(routes, Kind::Event).map(|r| {
        let (method, variant) = (&r.method, &r.variant);
        quote!(Message::Event(Event::#variant(event)) => self.#method.run(bytes, &event, &mut ctx),)
    });
    let command_arms = of_kind(routes, Kind::Command).map(|r| {
        let (method, variant) = (&r.method, &r.variant);
        quote!(Message::Command(Command::#variant(command)) => self.#method.run(bytes, command, &mut ctx),)
    });
    let handled = routes.iter().map(|r| {
        let method = &r.method;
        let wires = std::iter::once(&r.wire)
            .chain(r.older.iter().map(|o| &o.wire))
            .map(|w| Literal::string(w));
        let (active, kind) = match r.kind {
            Kind::Event => (quote!(!self.#method.is_empty()), quote!(#rt::Kind::Event)),
            Kind::Command => (quote!(self.#method.is_set()), quote!(#rt::Kind::Command)),
        };
        quote!(if #active { types.extend_from_slice(&[#((#wires, #kind)),*]); })
    });
    let unhandled = of_kind(routes, Kind::Command).map(|r| {
        let (method, latest) = (&r.method, &r.latest);
        quote!((<#latest as #rt::Contract>::WIRE_TYPE, self.#method.is_set()),)
    });
    let each_event_arms = of_kind(routes, Kind::Event).map(|r| {
        let (method, variant) = (&r.method, &r.variant);
        quote!(Message::Event(Event::#variant(event)) => self.#method.run_each(bytes, &event, &envelope, &self.publisher, done),)
    });
    let each_command_arms = of_kind(routes, Kind::Command).map(|r| {
        let (method, variant) = (&r.method, &r.variant);
        quote!(Message::Command(Command::#variant(command)) => self.#method.run_each(bytes, command, &envelope, &self.publisher, done),)
    });
    let allow = allow_deprecated(of_kind(routes, Kind::Command));
    let names = routes.iter().map(|r| {
        let method = &r.method;
        let wires = std::iter::once(&r.wire)
            .chain(r.older.iter().map(|o| &o.wire))
            .map(|w| Literal::string(w));
        let names = match r.kind {
            Kind::Event => quote!(self.#method.names()),
            Kind::Command => quote!(if self.#method.is_set() {
                vec![#rt::dispatch::COMMAND_HANDLER_NAME.to_owned()]
            } else {
                Vec::new()
            }),
        };
        quote!(#(#wires)|* => #names,)
    });
    quote! {
        /// Routes messages to closures: any number of subscribers per event,
        /// exactly one handler per command.
        #[allow(dead_code)]
        pub struct Bus {
            publisher: #rt::Publisher,
            #(#fields)*
        }

        #(#routes_impls)*

        #[allow(dead_code)]
        #allow
        impl Bus {
            pub fn new(publisher: #rt::Publisher) -> Self {
                Bus { publisher, #(#inits)* }
            }

            /// Adds a subscriber to the event `T`.
            pub fn subscribe<T: #rt::Contract>(
                &mut self,
                handler: impl FnMut(&T, &mut #rt::Context<'_>) -> Result<(), #rt::HandlerError> + Send + 'static,
            ) where
                Self: #rt::EventRoute<T>,
            {
                #rt::EventRoute::<T>::subscribers(self).add(handler);
            }

            /// Adds a subscriber to the event `T` under `name`, which a broker
            /// consumer records its completion under: a subscriber that
            /// succeeded is not run again when another one fails. Without a
            /// name a subscriber is named after its place (`#1`, `#2`, …).
            pub fn subscribe_named<T: #rt::Contract>(
                &mut self,
                name: impl Into<String>,
                handler: impl FnMut(&T, &mut #rt::Context<'_>) -> Result<(), #rt::HandlerError> + Send + 'static,
            ) -> Result<(), #rt::SubscriberNameError>
            where
                Self: #rt::EventRoute<T>,
            {
                #rt::EventRoute::<T>::subscribers(self).add_named(name, handler)
            }

            /// Registers the handler of the command `T`; a second one is refused.
            pub fn handle<T: #rt::Contract>(
                &mut self,
                handler: impl FnMut(T, &mut #rt::Context<'_>) -> Result<(), #rt::HandlerError> + Send + 'static,
            ) -> Result<(), #rt::RegistrationError>
            where
                Self: #rt::CommandRoute<T>,
            {
                #rt::CommandRoute::<T>::slot(self).set(handler)
            }

            /// Wire types of the commands that have no handler yet: check it
            /// at start-up to fail before the first message rather than on it.
            pub fn unhandled_commands(&self) -> Vec<&'static str> {
                let commands: &[(&'static str, bool)] = &[#(#unhandled)*];
                commands.iter().filter(|(_, set)| !set).map(|(wire, _)| *wire).collect()
            }

            /// Decodes a message and runs its handlers; returns the messages
            /// they emitted.
            #[allow(unreachable_code, unused_variables, unused_mut)]
            pub fn dispatch(&mut self, bytes: &[u8]) -> Result<Vec<#rt::Envelope>, #rt::DispatchError> {
                let (envelope, message) = #rt::dispatch::receive(bytes, &Router, decode_envelope)?;
                let mut outgoing = Vec::new();
                let mut ctx = #rt::Context::new(&envelope, &self.publisher, &mut outgoing);
                match message {
                    #(#event_arms)*
                    #(#command_arms)*
                }?;
                Ok(outgoing)
            }

            /// Decodes a message and runs each of its subscribers not `done`
            /// on its own; a failure does not stop the others.
            #[allow(unreachable_code, unused_variables)]
            pub fn dispatch_each(
                &mut self,
                bytes: &[u8],
                done: &dyn Fn(&str) -> bool,
            ) -> Result<Vec<#rt::SubscriberRun>, #rt::DispatchError> {
                let (envelope, message) = #rt::dispatch::receive(bytes, &Router, decode_envelope)?;
                Ok(match message {
                    #(#each_event_arms)*
                    #(#each_command_arms)*
                })
            }
        }

        impl #rt::Dispatch for Bus {
            fn dispatch(&mut self, bytes: &[u8]) -> Result<Vec<#rt::Envelope>, #rt::DispatchError> {
                Bus::dispatch(self, bytes)
            }

            fn handled_types(&self) -> Vec<(&'static str, #rt::Kind)> {
                let mut types: Vec<(&'static str, #rt::Kind)> = Vec::new();
                #(#handled)*
                types
            }

            fn subscribers(&self, wire_type: &str) -> Vec<String> {
                match wire_type {
                    #(#names)*
                    _ => Vec::new(),
                }
            }

            fn dispatch_each(
                &mut self,
                bytes: &[u8],
                done: &dyn Fn(&str) -> bool,
            ) -> Result<Vec<#rt::SubscriberRun>, #rt::DispatchError> {
                Bus::dispatch_each(self, bytes, done)
            }
        }
    }
}
