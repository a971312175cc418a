//! `Reply`, what a test looks at in a response, and `Browser`, one cookie jar
//! talking to a `TestApp`.

use std::collections::HashMap;

use rocket::http::{ContentType, Header, Status};
use rocket::local::blocking::LocalResponse;

use super::{TestApp, encode};

/// What a test looks at in a response.
#[derive(Debug)]
pub struct Reply {
    pub status: Status,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// `Set-Cookie` headers, parsed.
    pub set_cookies: Vec<cookie::Cookie<'static>>,
}

impl Reply {
    pub fn from(response: LocalResponse<'_>) -> Reply {
        let status = response.status();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect();
        let set_cookies = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| cookie::Cookie::parse_encoded(v.clone()).ok())
            .collect();
        let body = response.into_string().unwrap_or_default();
        Reply {
            status,
            headers,
            body,
            set_cookies,
        }
    }

    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Location` of a redirect.
    pub fn location(&self) -> Option<&str> {
        self.header("Location")
    }

    /// The `Set-Cookie` for `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<&cookie::Cookie<'static>> {
        self.set_cookies.iter().find(|c| c.name() == name)
    }

    /// The value of the hidden `csrf_token` field on this page.
    pub fn csrf_token(&self) -> Option<String> {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].to_owned())
    }
}

/// One cookie jar: a browser on one device.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: HashMap<String, String>,
    /// The peer address the server sees (none by default).
    pub remote: Option<std::net::SocketAddr>,
}

impl Browser<'_> {
    fn remember(&mut self, reply: &Reply) {
        for cookie in &reply.set_cookies {
            let removed =
                cookie.max_age().is_some_and(|age| age.is_zero()) || cookie.value().is_empty();
            if removed {
                self.cookies.remove(cookie.name());
            } else {
                self.cookies
                    .insert(cookie.name().to_owned(), cookie.value().to_owned());
            }
        }
    }

    fn send(&mut self, request: rocket::local::blocking::LocalRequest<'_>) -> Reply {
        let request = match self.remote {
            Some(addr) => request.remote(addr),
            None => request,
        };
        let request = self.cookies.iter().fold(request, |r, (name, value)| {
            r.cookie(rocket::http::Cookie::new(name.clone(), value.clone()))
        });
        let reply = Reply::from(request.dispatch());
        self.remember(&reply);
        reply
    }

    /// `GET path`.
    pub fn get(&mut self, path: &str) -> Reply {
        let request = self.app.client.get(path.to_owned());
        self.send(request)
    }

    /// `GET path` with extra headers.
    pub fn get_with(&mut self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.app.client.get(path.to_owned());
        for (name, value) in headers {
            request.add_header(Header::new(name.to_string(), value.to_string()));
        }
        self.send(request)
    }

    /// `method path` with extra headers.
    pub fn request_with(
        &mut self,
        method: rocket::http::Method,
        path: &str,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self.app.client.req(method, path.to_owned());
        for (name, value) in headers {
            request.add_header(Header::new(name.to_string(), value.to_string()));
        }
        self.send(request)
    }

    /// `POST path` with a raw urlencoded body and extra headers.
    pub fn post_raw(
        &mut self,
        path: &str,
        body: impl AsRef<[u8]>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self
            .app
            .client
            .post(path.to_owned())
            .header(ContentType::Form)
            .body(body.as_ref());
        for (name, value) in headers {
            request.add_header(Header::new(name.to_string(), value.to_string()));
        }
        self.send(request)
    }

    /// `POST path` with a JSON body and extra headers (the passkey script's calls).
    pub fn post_json(&mut self, path: &str, body: &str, headers: &[(&str, &str)]) -> Reply {
        let mut request = self
            .app
            .client
            .post(path.to_owned())
            .header(ContentType::JSON)
            .body(body.as_bytes());
        for (name, value) in headers {
            request.add_header(Header::new(name.to_string(), value.to_string()));
        }
        self.send(request)
    }

    /// `POST path` with `fields` and this browser's CSRF token.
    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let token = self.csrf_token();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, encode(&all), &[])
    }

    /// A CSRF token from a page this browser can see.
    pub fn csrf_token(&mut self) -> String {
        let login = self.get("/login");
        let page = if login.status == Status::Ok {
            login
        } else {
            let account = self.get("/account");
            match account.status {
                // A user who must enrol a second factor first (SPEC §10).
                Status::SeeOther => self.get("/account/security"),
                _ => account,
            }
        };
        page.csrf_token().expect("page carries a csrf token")
    }

    /// Registers through the form.
    pub fn register(&mut self, email: &str, password: &str) -> Reply {
        self.post_form("/register", &[("email", email), ("password", password)])
    }

    /// Logs in through the form.
    pub fn login(&mut self, email: &str, password: &str) -> Reply {
        self.post_form("/login", &[("email", email), ("password", password)])
    }

    /// Logs out through the form.
    pub fn logout(&mut self) -> Reply {
        self.post_form("/logout", &[])
    }

    /// The session cookie's raw value.
    pub fn session_cookie(&self) -> Option<String> {
        self.cookies.get("portcullis").cloned()
    }
}
