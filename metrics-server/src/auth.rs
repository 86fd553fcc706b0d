//! Optional authentication of `/metrics`: a bearer token or basic credentials, compared in
//! constant time so response timing reveals nothing about the secret.

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use subtle::ConstantTimeEq;

use crate::AppState;

/// Credentials a scraper must present on `/metrics`.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Authorization: Basic base64(user:password)`.
    Basic {
        /// User name.
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
    /// The full `Authorization` header value that grants access.
    fn expected(&self) -> String {
        match self {
            Auth::Bearer(token) => format!("Bearer {token}"),
            Auth::Basic { user, password } => {
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
                )
            }
        }
    }

    /// Whether an `Authorization` header value grants access.
    pub fn allows(&self, presented: &[u8]) -> bool {
        bool::from(self.expected().as_bytes().ct_eq(presented))
    }

    fn challenge(&self) -> &'static str {
        match self {
            Auth::Bearer(_) => "Bearer",
            Auth::Basic { .. } => "Basic realm=\"metrics\"",
        }
    }
}

pub(crate) async fn require(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(auth) = &state.config.auth else {
        return next.run(req).await;
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if auth.allows(presented) {
        return next.run(req).await;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, auth.challenge())],
        "missing or wrong credentials\n",
    )
        .into_response()
}
