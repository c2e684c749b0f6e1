//! What a path id names, as types: `Id<Case>` (pages) and `ApiId<Case>` (API) cannot be mixed
//! up with an id of something else, and each kind knows the path parameter it is read from.

/// A kind of thing with a numeric id in the path.
pub trait IdKind {
    /// The path parameter that holds the id.
    const PARAM: &'static str = "id";
}

macro_rules! kinds {
    ($($name:ident $(= $param:literal)?),* $(,)?) => {
        $(
            pub struct $name;
            impl IdKind for $name {
                $(const PARAM: &'static str = $param;)?
            }
        )*
    };
}

kinds!(
    Case,
    Person,
    OtherPerson = "other", // the second person of a merge
    Decision,
    Appeal,
    Activity,
    InboxItem,
    StaffAccount,
    Offer,
    Slot = "slot",
    JournalEntry = "entry",
);
