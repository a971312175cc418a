//! A small browser for the stack: loopback names, no redirects, a cookie jar.

use std::net::SocketAddr;
use std::time::Duration;

use crate::helpers::PASSWORD;

/// What the test looks at in an answer.
#[derive(Debug)]
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) location: Option<String>,
    pub(super) cookies: Vec<String>,
    pub(super) body: String,
}

impl Answer {
    pub(super) fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// A `name=value` line the upstream echoed.
    pub(super) fn seen(&self, name: &str) -> String {
        let prefix = format!("{name}=");
        let line = self.body.lines().find(|l| l.starts_with(&prefix));
        line.map(|l| l[prefix.len()..].to_owned())
            .unwrap_or_default()
    }
}

/// A browser: every `*.example.test` name resolves to loopback, redirects are not
/// followed, and cookies are kept per host or domain as a browser would.
#[derive(Clone)]
pub(super) struct Browser {
    agent: ureq::Agent,
    /// (cookie, the host that set it).
    jar: Vec<(cookie::Cookie<'static>, String)>,
}

impl Browser {
    pub(super) fn new() -> Browser {
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .timeout(Duration::from_secs(20))
            .resolver(|addr: &str| {
                let port = addr.rsplit(':').next().and_then(|p| p.parse().ok());
                let port = port.ok_or_else(|| std::io::Error::other("no port"))?;
                Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))])
            })
            .build();
        Browser {
            agent,
            jar: Vec::new(),
        }
    }

    fn cookie_header(&self, host: &str) -> String {
        let applies = |(cookie, origin): &&(cookie::Cookie<'static>, String)| match cookie.domain()
        {
            Some(domain) => host == domain || host.ends_with(&format!(".{domain}")),
            None => host == origin,
        };
        let pairs: Vec<String> = self
            .jar
            .iter()
            .filter(applies)
            .map(|(c, _)| format!("{}={}", c.name(), c.value()))
            .collect();
        pairs.join("; ")
    }

    fn keep(&mut self, host: &str, set_cookie: &str) {
        let Ok(cookie) = cookie::Cookie::parse(set_cookie.to_owned()) else {
            return;
        };
        let same = |(c, origin): &(cookie::Cookie<'static>, String)| {
            c.name() == cookie.name()
                && c.domain() == cookie.domain()
                && (c.domain().is_some() || origin == host)
        };
        self.jar.retain(|entry| !same(entry));
        let removed =
            cookie.max_age().is_some_and(|age| age.is_zero()) || cookie.value().is_empty();
        if !removed {
            self.jar.push((cookie, host.to_owned()));
        }
    }

    fn send(
        &mut self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let host = url::Url::parse(url).unwrap().host_str().unwrap().to_owned();
        let mut request = self.agent.request(method, url);
        let cookies = self.cookie_header(&host);
        if !cookies.is_empty() {
            request = request.set("Cookie", &cookies);
        }
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let result = match form {
            Some(fields) => request.send_form(fields),
            None => request.call(),
        };
        let response = match result {
            Ok(response) | Err(ureq::Error::Status(_, response)) => response,
            Err(e) => panic!("{method} {url}: {e}"),
        };
        let cookies: Vec<String> = response
            .all("Set-Cookie")
            .into_iter()
            .map(str::to_owned)
            .collect();
        for set_cookie in &cookies {
            self.keep(&host, set_cookie);
        }
        Answer {
            status: response.status(),
            location: response.header("Location").map(str::to_owned),
            cookies,
            body: response.into_string().unwrap_or_default(),
        }
    }

    pub(super) fn get(&mut self, url: &str, headers: &[(&str, &str)]) -> Answer {
        self.send("GET", url, headers, None)
    }

    pub(super) fn post(&mut self, url: &str, fields: &[(&str, &str)]) -> Answer {
        self.send("POST", url, &[], Some(fields))
    }

    /// Opens `page` for its CSRF token, then posts `fields` with it to `target`.
    pub(super) fn post_form(
        &mut self,
        page: &str,
        target: &str,
        fields: &[(&str, &str)],
    ) -> Answer {
        let shown = self.get(page, &[]);
        assert_eq!(shown.status, 200, "{page}: {shown:?}");
        let marker = "name=\"csrf_token\" value=\"";
        let start = shown.body.find(marker).expect("a csrf token") + marker.len();
        let token = shown.body[start..].split('"').next().unwrap().to_owned();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.send("POST", target, &[], Some(&all))
    }

    /// Registers through the portal's form.
    pub(super) fn register(&mut self, auth: &str, email: &str) {
        let page = format!("{auth}/register");
        let reply = self.post_form(&page, &page, &[("email", email), ("password", PASSWORD)]);
        assert_eq!(reply.status, 303, "register: {reply:?}");
    }

    /// Logs in through the form at `login_page` (which may carry `?rd=`).
    pub(super) fn login(&mut self, login_page: &str, email: &str) -> Answer {
        let url = url::Url::parse(login_page).unwrap();
        let rd = url
            .query_pairs()
            .find(|(k, _)| k == "rd")
            .map(|(_, v)| v.into_owned());
        let mut fields = vec![("email", email), ("password", PASSWORD)];
        if let Some(rd) = &rd {
            fields.push(("rd", rd));
        }
        let target = url.join("/login").unwrap();
        self.post_form(login_page, target.as_str(), &fields)
    }
}
