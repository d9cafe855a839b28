//! DOT reader (being written).
use super::ReadError;
use crate::model::Plan;

pub fn read_dot(_text: &str) -> Result<Plan, ReadError> {
    Err(ReadError::whole("DOT reading is not built yet"))
}
