//! What a path id names, as types: `Id<Case>` (pages) and `ApiId<Case>` (API) cannot be mixed
//! up with an id of something else.

pub struct Case;
pub struct Person;
pub struct Decision;
pub struct Appeal;
pub struct Activity;
pub struct InboxItem;
pub struct StaffAccount;
pub struct Offer;
