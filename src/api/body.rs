//! [`Body`]: the JSON request body of an API route. Only `application/json` is
//! accepted, at most [`LIMIT`] bytes; anything else becomes a JSON error with a 4xx
//! status, never a 500 nor the HTML error page. Error messages never echo a value
//! from the body (it may be a password).

use rocket::data::{self, Data, FromData, ToByteUnit};
use rocket::http::Status;
use rocket::request::Request;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use super::error::ApiError;

/// Largest accepted body, in bytes: ample for every route (passwords stop at 1024
/// bytes), small enough that nothing large is ever parsed or hashed.
pub const LIMIT: u64 = 16 * 1024;

/// A JSON body of type `T`. Take it as `ApiResult<Body<T>>` so that a bad body is
/// answered with its precise error.
#[derive(Debug)]
pub struct Body<T>(pub T);

#[rocket::async_trait]
impl<'r, T: DeserializeOwned> FromData<'r> for Body<T> {
    type Error = ApiError;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let fail = |e: ApiError| data::Outcome::Error((e.status(), e));
        if !request.content_type().is_some_and(|ct| ct.is_json()) {
            return fail(ApiError::UnsupportedMediaType);
        }
        let bytes = match data.open(LIMIT.bytes()).into_bytes().await {
            Ok(read) if read.is_complete() => read.into_inner(),
            Ok(_) => return fail(ApiError::PayloadTooLarge),
            Err(_) => return fail(ApiError::Other(Status::BadRequest)),
        };
        // Through `Value` first: serde would otherwise accept `["x"]` for a struct.
        let value = match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(value) if value.is_object() => value,
            Ok(_) => return fail(classify_shape(None)),
            Err(e) => return fail(classify(&e)),
        };
        match T::deserialize(value) {
            Ok(value) => data::Outcome::Success(Body(value)),
            Err(e) => fail(classify(&e)),
        }
    }
}

/// Turns a parse error into an API error without quoting the input.
fn classify(e: &serde_json::Error) -> ApiError {
    match e.classify() {
        Category::Data => classify_shape(Some(&e.to_string())),
        Category::Syntax | Category::Eof | Category::Io => ApiError::MalformedJson,
    }
}

/// A well-formed body of the wrong shape: names a missing field, never a value.
fn classify_shape(serde_message: Option<&str>) -> ApiError {
    let missing = serde_message
        .and_then(|text| text.strip_prefix("missing field `"))
        .and_then(|rest| rest.split('`').next());
    ApiError::InvalidRequest(match (serde_message, missing) {
        (_, Some(field)) => format!("The field `{field}` is missing."),
        (Some(_), None) => "A field has the wrong type.".into(),
        (None, None) => "The body must be a JSON object.".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Login {
        email: String,
        password: String,
    }

    fn parse(raw: &str) -> ApiError {
        classify(&serde_json::from_str::<Login>(raw).unwrap_err())
    }

    #[test]
    fn parse_errors_are_classified_without_echoing_values() {
        assert!(matches!(parse("{\"email\":"), ApiError::MalformedJson));
        assert!(matches!(parse("not json"), ApiError::MalformedJson));
        let missing = parse("{\"email\":\"a@b.c\"}");
        assert_eq!(missing.to_string(), "The field `password` is missing.");
        let wrong = parse("{\"email\":\"a@b.c\",\"password\":123456789}");
        assert_eq!(wrong.status(), Status::UnprocessableEntity);
        assert!(!wrong.to_string().contains("123456789"));
    }
}
