//! Domain values in TEXT columns. `domain` knows nothing of sqlx, so the bridge lives here:
//!
//! - a row struct reads a wire enum (or a `Kommunkod`) with `#[sqlx(try_from = "String")]`,
//!   through the domain type's own `TryFrom<String>`;
//! - a nullable column reads into `Option<T>` with `#[sqlx(try_from = "Nullable")]`;
//! - a comma list of wire names reads into `Vec<T>` with `#[sqlx(try_from = "List")]`;
//! - `Wire<T>` is a wire enum as a bind parameter or a `query_scalar` result.
//!
//! A stored value the type does not know is a decode error, never a silent default.

use domain::WireEnum;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

/// A wire enum as TEXT, both ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wire<T>(pub T);

impl<T: WireEnum, DB: Database> Type<DB> for Wire<T>
where
    str: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <str as Type<DB>>::type_info()
    }
    fn compatible(ty: &DB::TypeInfo) -> bool {
        <str as Type<DB>>::compatible(ty)
    }
}

impl<'q, T: WireEnum, DB: Database> Encode<'q, DB> for Wire<T>
where
    &'static str: Encode<'q, DB>,
{
    fn encode_by_ref(
        &self,
        buf: &mut <DB as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        self.0.as_str().encode_by_ref(buf)
    }
}

impl<'r, T: WireEnum, DB: Database> Decode<'r, DB> for Wire<T>
where
    &'r str: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        let s = <&'r str as Decode<'r, DB>>::decode(value)?;
        T::parse(s).map(Wire).ok_or_else(|| {
            Box::new(domain::UnknownWireValue {
                set: std::any::type_name::<T>(),
                value: s.to_owned(),
            }) as BoxDynError
        })
    }
}

/// A nullable TEXT column on its way to `Option<T>` (see the module comment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nullable(pub Option<String>);

impl<DB: Database> Type<DB> for Nullable
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }
    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for Nullable
where
    Option<String>: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        <Option<String> as Decode<'r, DB>>::decode(value).map(Nullable)
    }
}

impl<T: TryFrom<String>> TryFrom<Nullable> for Option<T> {
    type Error = T::Error;
    fn try_from(n: Nullable) -> Result<Self, Self::Error> {
        n.0.map(T::try_from).transpose()
    }
}

/// A TEXT column holding a comma list of wire names (`"talk,advice"`); empty means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List(pub String);

impl<DB: Database> Type<DB> for List
where
    String: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as Type<DB>>::type_info()
    }
    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as Type<DB>>::compatible(ty)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for List
where
    String: Decode<'r, DB>,
{
    fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
        <String as Decode<'r, DB>>::decode(value).map(List)
    }
}

impl<T: WireEnum> TryFrom<List> for Vec<T> {
    type Error = domain::UnknownWireValue;
    fn try_from(l: List) -> Result<Self, Self::Error> {
        l.0.split(',')
            .filter(|x| !x.is_empty())
            .map(|x| {
                T::parse(x).ok_or_else(|| domain::UnknownWireValue {
                    set: std::any::type_name::<T>(),
                    value: x.to_owned(),
                })
            })
            .collect()
    }
}

/// The comma list `List` reads.
pub fn join<T: WireEnum>(items: &[T]) -> String {
    items
        .iter()
        .map(|x| x.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::case::CaseStatus;
    use domain::Kommunkod;

    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(try_from = "String")]
        status: CaseStatus,
        #[sqlx(try_from = "Nullable")]
        kommunkod: Option<Kommunkod>,
        #[sqlx(try_from = "Nullable")]
        other: Option<CaseStatus>,
    }

    #[tokio::test]
    async fn text_columns_read_and_write_as_domain_values() -> Result<(), sqlx::Error> {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
        let row: Row = sqlx::query_as("SELECT $1 AS status, '0180' AS kommunkod, NULL AS other")
            .bind(Wire(CaseStatus::Investigating))
            .fetch_one(&pool)
            .await?;
        assert_eq!(row.status, CaseStatus::Investigating);
        assert_eq!(
            row.kommunkod.map(|k| k.to_string()).as_deref(),
            Some("0180")
        );
        assert_eq!(row.other, None);
        let Wire(s): Wire<CaseStatus> = sqlx::query_scalar("SELECT 'closed'")
            .fetch_one(&pool)
            .await?;
        assert_eq!(s, CaseStatus::Closed);
        let bad =
            sqlx::query_as::<_, Row>("SELECT 'opened' AS status, NULL AS kommunkod, NULL AS other")
                .fetch_one(&pool)
                .await;
        assert!(bad.is_err());
        let bad = sqlx::query_scalar::<_, Wire<CaseStatus>>("SELECT 'opened'")
            .fetch_one(&pool)
            .await;
        assert!(bad.is_err());
        Ok(())
    }
}
