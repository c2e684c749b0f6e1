//! A list of ids bound as one statement parameter: an `int8[]` on PostgreSQL, a JSON array on
//! SQLite. The statement's text stays the same whatever the list, so it is prepared and planned
//! once per connection instead of once per page (ids written into the text made every page a
//! new statement).

use crate::db::Backend;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo};
use sqlx::sqlite::{SqliteArgumentValue, SqliteTypeInfo};
use sqlx::{Encode, Postgres, Sqlite, Type};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdList(pub Vec<i64>);

impl IdList {
    /// The condition "`column` is one of the list bound as `param`" in the backend's dialect.
    pub fn contains(backend: Backend, column: &str, param: &str) -> String {
        match backend {
            Backend::Postgres => format!("{column} = ANY({param})"),
            Backend::Sqlite => format!("{column} IN (SELECT value FROM json_each({param}))"),
        }
    }

    fn json(&self) -> String {
        let ids: Vec<String> = self.0.iter().map(i64::to_string).collect();
        format!("[{}]", ids.join(","))
    }
}

impl Type<Sqlite> for IdList {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
}

impl<'q> Encode<'q, Sqlite> for IdList {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        <String as Encode<'q, Sqlite>>::encode(self.json(), buf)
    }
}

impl Type<Postgres> for IdList {
    fn type_info() -> PgTypeInfo {
        <Vec<i64> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for IdList {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <Vec<i64> as Encode<'_, Postgres>>::encode_by_ref(&self.0, buf)
    }
}
