//! HTML rendering. Templates are compiled into the binary (`include_str!`) and
//! rendered by our own Tera instance rather than `rocket_dyn_templates`' fairing, so
//! the binary runs from any directory and an app embedding Portcullis keeps its own
//! template engine. An optional `templates_dir` overrides templates by file name.
//! The filters the templates use (human times, the way back from re-authentication)
//! are in the `filters` submodule.

mod filters;

use std::path::Path;
use std::sync::Arc;

use rocket::http::{ContentType, Status};
use rocket::request::Request;
use rocket::response::{self, Responder, Response};
use tera::{Context, Tera};

use crate::clock::Clock;

/// The embedded templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("login.html", include_str!("../../templates/login.html")),
    (
        "register.html",
        include_str!("../../templates/register.html"),
    ),
    ("account.html", include_str!("../../templates/account.html")),
    ("tokens.html", include_str!("../../templates/tokens.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("reauth.html", include_str!("../../templates/reauth.html")),
    (
        "password.html",
        include_str!("../../templates/password.html"),
    ),
    ("link.html", include_str!("../../templates/link.html")),
    ("admin.html", include_str!("../../templates/admin.html")),
    (
        "admin_doctor.html",
        include_str!("../../templates/admin_doctor.html"),
    ),
    (
        "admin_user.html",
        include_str!("../../templates/admin_user.html"),
    ),
    (
        "admin_invite.html",
        include_str!("../../templates/admin_invite.html"),
    ),
    (
        "admin_audit.html",
        include_str!("../../templates/admin_audit.html"),
    ),
    (
        "security.html",
        include_str!("../../templates/security.html"),
    ),
    (
        "totp_enrol.html",
        include_str!("../../templates/totp_enrol.html"),
    ),
    (
        "recovery_codes.html",
        include_str!("../../templates/recovery_codes.html"),
    ),
    (
        "second_factor.html",
        include_str!("../../templates/second_factor.html"),
    ),
];

/// The embedded stylesheet, served at `/static/portcullis.css`.
pub const STYLESHEET: &str = include_str!("../../static/portcullis.css");

/// The embedded script (copy buttons), served at `/static/portcullis.js`. Pages work
/// without it; the CSP allows only scripts from this origin (`script-src 'self'`).
pub const SCRIPT: &str = include_str!("../../static/portcullis.js");

/// The embedded icon, served at `/static/favicon.svg` (and `/favicon.ico`).
pub const FAVICON: &str = include_str!("../../static/favicon.svg");

/// The template engine held in Rocket state.
pub struct Views {
    tera: Tera,
    /// The base path every link in the pages starts with (`{{ base }}`).
    base: String,
}

/// A template could not be loaded at start-up.
#[derive(Debug, thiserror::Error)]
#[error("template error: {0}")]
pub struct ViewError(String);

impl Views {
    /// Loads the embedded templates, then any same-named files from `overrides`.
    /// Links in the pages start with `base` (see `Config::base_path`); relative times
    /// are counted from `clock`'s now.
    pub fn load(
        overrides: Option<&Path>,
        base: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Views, ViewError> {
        let mut sources: Vec<(String, String)> = TEMPLATES
            .iter()
            .map(|(name, body)| (name.to_string(), body.to_string()))
            .collect();
        if let Some(dir) = overrides {
            for (name, body) in &mut sources {
                let path = dir.join(&*name);
                if path.is_file() {
                    *body = std::fs::read_to_string(&path)
                        .map_err(|e| ViewError(format!("{}: {e}", path.display())))?;
                }
            }
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        filters::register(&mut tera, clock, base);
        tera.add_raw_templates(sources)
            .map_err(|e| ViewError(format!("{e:?}")))?;
        Ok(Views {
            tera,
            base: base.to_owned(),
        })
    }

    /// Renders `name` into a page with `status`.
    pub fn page(&self, status: Status, name: &str, context: &Context) -> Page {
        let mut context = context.clone();
        context.insert("base", &self.base);
        match self.tera.render(name, &context) {
            Ok(html) => Page {
                status,
                html,
                retry_after: None,
            },
            Err(e) => {
                rocket::error!("rendering {name} failed: {e:?}");
                Page {
                    status: Status::InternalServerError,
                    html: "<!doctype html><title>Error</title><p>Something went wrong.</p>".into(),
                    retry_after: None,
                }
            }
        }
    }
}

/// A rendered HTML page and its status.
#[derive(Debug)]
pub struct Page {
    /// The status to send.
    pub status: Status,
    /// The HTML body.
    pub html: String,
    /// Seconds for a `Retry-After` header (throttled answers).
    pub retry_after: Option<i64>,
}

impl Page {
    /// Adds `Retry-After: seconds`.
    pub fn retry_after(mut self, seconds: i64) -> Page {
        self.retry_after = Some(seconds.max(1));
        self
    }
}

impl<'r> Responder<'r, 'static> for Page {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut response = Response::build();
        response
            .status(self.status)
            .header(ContentType::HTML)
            .sized_body(self.html.len(), std::io::Cursor::new(self.html));
        if let Some(seconds) = self.retry_after {
            response.raw_header("Retry-After", seconds.to_string());
        }
        response.ok()
    }
}

impl Views {
    /// Renders `name` with `context` (a typed page, serialised) as its context.
    pub fn render(
        &self,
        status: Status,
        name: &str,
        context: &(impl serde::Serialize + ?Sized),
    ) -> Page {
        match Context::from_serialize(context) {
            Ok(context) => self.page(status, name, &context),
            Err(e) => {
                rocket::error!("bad context for {name}: {e}");
                self.page(Status::InternalServerError, "error.html", &Context::new())
            }
        }
    }
}
