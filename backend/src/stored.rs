//! Typed columns: the Rust types entities use for stored enums (state, kind, format, ...)
//! and JSON documents, in place of bare `String` and `serde_json::Value` columns.
//!
//! [`stored_enum!`] makes an enum stored as its lower-case name in a text column;
//! [`stored_json!`] makes a newtype stored as a JSON document. Both implement what sea-orm
//! needs of a column type (`TryGetable`, `ValueType`, `Nullable`, `Into<Value>`), so a
//! model reads and writes them directly. Reading a stored value that does not parse fails
//! the query with a [`sea_orm::DbErr::Type`] that names the table, the column, the row's
//! `id` and the value (never a silent default): a corrupt row surfaces as a logged 500
//! instead of, say, an email with no recipients.
//!
//! This is the bottom layer: it depends on nothing else in the crate.

use sea_orm::{ColIdx, DbErr, QueryResult, TryGetError};

/// The error for a stored value of `table.column` that does not parse, naming the row by
/// the `id` column read from the same result. The column is the one actually read when the
/// result names it (`index`), without the `A_`/`B_` prefix of a joined select, whose `id`
/// is read with the same prefix.
pub fn corrupt<I: ColIdx>(res: &QueryResult, index: I, table: &str, column: &str, problem: &str) -> TryGetError {
    let name = index.as_str().unwrap_or(column);
    let (prefix, column) = match name.as_bytes() {
        [first, b'_', ..] if first.is_ascii_uppercase() => name.split_at(2),
        _ => ("", name),
    };
    let row = res
        .try_get::<uuid::Uuid>(prefix, "id")
        .map(|id| id.to_string())
        .or_else(|_| res.try_get::<uuid::Uuid>(prefix, "account_id").map(|id| format!("of account {id}")))
        .unwrap_or_else(|_| "(id not selected)".to_owned());
    TryGetError::DbErr(DbErr::Type(format!("corrupt stored value in {table}.{column}, row {row}: {problem}")))
}

/// Defines an enum stored as text: `stored_enum! { /// doc  pub enum Name in "table"."column"
/// { /// doc  Variant = "stored", ... } }`.
///
/// The enum gets `as_str`, `parse` (the error lists the accepted names), `Display`,
/// `FromStr`, serde as its stored name, `ALL`, the sea-orm column traits, and its OpenAPI
/// schema (a string with the stored names as its `enum`).
///
/// `stored_enum! { impl Name in "table"."column"; }` implements `Display` and the column
/// traits for an existing enum with `as_str(self) -> &'static str` and `FromStr` (its error
/// displayed).
#[macro_export]
macro_rules! stored_enum {
    (impl $name:ident in $table:literal . $column:literal;) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::__stored_column! {
            $name in $table . $column,
            raw: String,
            encode: |v| v.as_str().to_owned(),
            decode: |raw| <$name as ::std::str::FromStr>::from_str(&raw),
            array: String,
            column_type: Text,
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident in $table:literal . $column:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $stored:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $stored),+ }
            }

            /// Parses a stored name; the error lists the accepted names.
            pub fn parse(value: &str) -> ::std::result::Result<Self, String> {
                match value {
                    $($stored => Ok($name::$variant),)+
                    other => Err(format!(
                        "`{other}` is not one of {}",
                        [$($stored),+].join(", ")
                    )),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> ::std::result::Result<Self, String> {
                Self::parse(s)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                Self::parse(&s).map_err(::serde::de::Error::custom)
            }
        }

        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($stored),+]))
                    .into()
            }
        }

        impl ::utoipa::ToSchema for $name {}

        $crate::stored_enum! { impl $name in $table . $column; }
    };
}

/// Defines a newtype stored as a JSON document: `stored_json! { /// doc  pub struct
/// Name(Inner) in "table"."column"; }`. `Inner` is any serde type; the newtype derefs to it
/// and (de)serialises as it, and its OpenAPI schema is the inner type's (a `#[schema(value_type
/// = ...)]` attribute overrides it).
///
/// `stored_json! { impl Name in "table"."column"; }` implements the column traits for an
/// existing serde type instead.
#[macro_export]
macro_rules! stored_json {
    (impl $name:ident in $table:literal . $column:literal;) => {
        $crate::__stored_column! {
            $name in $table . $column,
            raw: ::serde_json::Value,
            // Serialising plain data (no maps with non-string keys) cannot fail.
            encode: |v| ::serde_json::to_value(&v).unwrap_or_default(),
            decode: |raw| ::serde_json::from_value::<$name>(raw),
            array: Json,
            column_type: Json,
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($inner:ty) in $table:literal . $column:literal;
    ) => {
        #[derive(Clone, Debug, PartialEq, Default, ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema)]
        $(#[$meta])*
        #[serde(transparent)]
        $vis struct $name(pub $inner);

        impl ::std::ops::Deref for $name {
            type Target = $inner;
            fn deref(&self) -> &$inner {
                &self.0
            }
        }

        impl ::std::ops::DerefMut for $name {
            fn deref_mut(&mut self) -> &mut $inner {
                &mut self.0
            }
        }

        impl From<$inner> for $name {
            fn from(v: $inner) -> Self {
                Self(v)
            }
        }

        $crate::stored_json! { impl $name in $table . $column; }
    };
}

/// The sea-orm column traits for `$name`, stored as `$raw` (text or JSON): `encode` makes
/// the raw value, `decode` parses it back (its error names what is wrong; a read names the
/// row through [`corrupt`]). Shared by [`stored_enum!`] and [`stored_json!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __stored_column {
    (
        $name:ident in $table:literal . $column:literal,
        raw: $raw:ty,
        encode: |$v:ident| $encode:expr,
        decode: |$r:ident| $decode:expr,
        array: $array:ident,
        column_type: $column_type:ident,
    ) => {
        impl From<$name> for ::sea_orm::Value {
            fn from($v: $name) -> Self {
                let raw: $raw = $encode;
                raw.into()
            }
        }

        impl ::sea_orm::TryGetable for $name {
            fn try_get_by<I: ::sea_orm::ColIdx>(
                res: &::sea_orm::QueryResult,
                index: I,
            ) -> ::std::result::Result<Self, ::sea_orm::TryGetError> {
                let $r = <$raw as ::sea_orm::TryGetable>::try_get_by(res, index)?;
                $decode.map_err(|problem| $crate::stored::corrupt(res, index, $table, $column, &problem.to_string()))
            }
        }

        impl ::sea_orm::sea_query::ValueType for $name {
            fn try_from(v: ::sea_orm::Value) -> ::std::result::Result<Self, ::sea_orm::sea_query::ValueTypeErr> {
                let $r = <$raw as ::sea_orm::sea_query::ValueType>::try_from(v)?;
                $decode.map_err(|_| ::sea_orm::sea_query::ValueTypeErr)
            }
            fn type_name() -> String {
                stringify!($name).to_owned()
            }
            fn array_type() -> ::sea_orm::sea_query::ArrayType {
                ::sea_orm::sea_query::ArrayType::$array
            }
            fn column_type() -> ::sea_orm::sea_query::ColumnType {
                ::sea_orm::sea_query::ColumnType::$column_type
            }
        }

        impl ::sea_orm::sea_query::Nullable for $name {
            fn null() -> ::sea_orm::Value {
                <$raw as ::sea_orm::sea_query::Nullable>::null()
            }
        }
    };
}
