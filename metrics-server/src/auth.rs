//! Credentials on the data endpoints: a bearer token (RFC 6750) or basic credentials
//! (RFC 7617), compared in constant time so response timing reveals nothing about the secret.
//!
//! The `Authorization` header is read as RFC 9110 §11.4 defines it: a case-insensitive scheme,
//! one or more spaces, then the credentials. Basic credentials are base64 with or without
//! padding; the decoding is the `base64` crate's. (The `headers` crate's typed
//! `Authorization<Basic>` was considered: it rejects unpadded base64, and would bring `sha1`,
//! `httpdate` and `mime` for two header forms.)

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use subtle::{Choice, ConstantTimeEq};

use crate::{AppState, ConfigError};

/// Standard base64 that accepts encodings with or without their `=` padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Credentials a client must present on the data endpoints (see [`Config::auth`](crate::Config::auth)).
///
/// Its `Debug` output never shows the secret:
///
/// ```
/// use promdecl_server::Auth;
///
/// let auth = Auth::Bearer("s3cr3t".into());
/// assert_eq!(format!("{auth:?}"), "Auth::Bearer(..)");
/// assert!(auth.allows(b"bearer s3cr3t"));
/// assert!(!auth.allows(b"Bearer s3cr3"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Authorization: Basic base64(user:password)`.
    Basic {
        /// User name (no `:`, as RFC 7617 requires).
        user: String,
        /// Password.
        password: String,
    },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets.
        f.write_str(match self {
            Auth::Bearer(_) => "Auth::Bearer(..)",
            Auth::Basic { .. } => "Auth::Basic(..)",
        })
    }
}

impl Auth {
    /// Whether the value of an `Authorization` header grants access: the scheme (`Bearer` or
    /// `Basic`, in any case), spaces, then the token or the base64 of `user:password`.
    pub fn allows(&self, header_value: &[u8]) -> bool {
        let Some((scheme, credentials)) = split_credentials(header_value) else {
            return false;
        };
        match self {
            Auth::Bearer(token) => {
                scheme.eq_ignore_ascii_case(b"bearer") && same(token.as_bytes(), credentials)
            }
            Auth::Basic { user, password } => {
                if !scheme.eq_ignore_ascii_case(b"basic") {
                    return false;
                }
                let Ok(decoded) = BASE64.decode(credentials) else {
                    return false;
                };
                let expected = [user.as_bytes(), b":", password.as_bytes()].concat();
                same(&expected, &decoded)
            }
        }
    }

    fn challenge(&self) -> &'static str {
        match self {
            Auth::Bearer(_) => "Bearer",
            Auth::Basic { .. } => "Basic realm=\"metrics\", charset=\"UTF-8\"",
        }
    }

    /// Whether a client can present these credentials at all. Messages name no secret.
    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        match self {
            Auth::Bearer(token) => {
                // RFC 6750's b64token, loosened to any visible ASCII: what a header can carry
                // as one word.
                if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(ConfigError::Auth(
                        "the bearer token must be non-empty visible ASCII without spaces",
                    ));
                }
            }
            Auth::Basic { user, password } => {
                if user.is_empty() || user.contains(':') {
                    return Err(ConfigError::Auth(
                        "the basic-auth user must be non-empty and contain no `:` (write USER:PASSWORD)",
                    ));
                }
                if user.chars().chain(password.chars()).any(char::is_control) {
                    return Err(ConfigError::Auth(
                        "basic-auth credentials must not contain control characters",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// `scheme 1*SP credentials` (RFC 9110 §11.4), surrounding whitespace ignored.
fn split_credentials(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let value = value.trim_ascii();
    let space = value.iter().position(|&b| b == b' ')?;
    let (scheme, rest) = value.split_at(space);
    let credentials = rest.trim_ascii_start();
    (!scheme.is_empty() && !credentials.is_empty()).then_some((scheme, credentials))
}

/// Constant-time equality whose running time depends only on the length of `expected` (the
/// configured secret), never on how much of `presented` matches.
fn same(expected: &[u8], presented: &[u8]) -> bool {
    let mut equal: Choice = (expected.len() as u64).ct_eq(&(presented.len() as u64));
    for (i, e) in expected.iter().enumerate() {
        let p = presented.get(i).copied().unwrap_or(!e);
        equal &= e.ct_eq(&p);
    }
    equal.into()
}

/// Answers 401 unless the request carries the configured credentials.
pub(crate) async fn require(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(auth) = &state.config.auth else {
        return next.run(req).await;
    };
    let allowed = req
        .headers()
        .get_all(header::AUTHORIZATION)
        .iter()
        .any(|v| auth.allows(v.as_bytes()));
    if allowed {
        return next.run(req).await;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, auth.challenge())],
        "missing or wrong credentials\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_case_insensitive_and_basic_padding_is_optional() {
        let bearer = Auth::Bearer("t0k".into());
        for ok in ["Bearer t0k", "bearer t0k", "BEARER   t0k", " Bearer t0k "] {
            assert!(bearer.allows(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "Bearer",
            "Bearer ",
            "Bearer t0",
            "Bearer t0kk",
            "Basic t0k",
            "t0k",
            "",
        ] {
            assert!(!bearer.allows(bad.as_bytes()), "{bad}");
        }
        // "a:bc" is YTpiYw== in base64.
        let basic = Auth::Basic {
            user: "a".into(),
            password: "bc".into(),
        };
        for ok in ["Basic YTpiYw==", "basic YTpiYw", "BASIC YTpiYw=="] {
            assert!(basic.allows(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "Basic YTpiYw===",
            "Basic YTpi",
            "Bearer YTpiYw==",
            "Basic !!!!",
        ] {
            assert!(!basic.allows(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn comparison_handles_every_length() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"ab"));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"", b"a"));
        assert!(same(b"", b""));
    }
}
