//! What only a browser can prove about the pages (SPEC §9): the colour scheme is
//! followed and readable in both, focus is visible, DevTools reach the virtual
//! authenticator; and proof that the suite's own detectors catch a broken page
//! (an inline script under the CSP, an inline style, a missing file, a page too
//! wide for a phone), so a green run means something.

use serde_json::Value;

use super::harness::{Chromium, Device, Scheme, run};
use super::people::{PASSWORD, sign_in};
use super::portal::Portal;

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_the_detectors_catch_broken_pages() {
    run(async {
        let overrides = tempfile::tempdir().expect("temp dir");
        let page = |body: &str| {
            format!(
                "{{% extends \"base.html\" %}}{{% block content %}}{body}{{% endblock content %}}"
            )
        };
        let write = |name: &str, body: String| {
            std::fs::write(overrides.path().join(name), body).expect("write a template");
        };
        write(
            "login.html",
            page("<h1>Sign in</h1><script>document.title = 'inline script ran';</script>"),
        );
        write(
            "register.html",
            page("<p style=\"color: red\">Inline style</p>"),
        );
        write(
            "error.html",
            page("<img src=\"{{ base | safe }}/static/missing.png\" alt=\"\">"),
        );
        write(
            "link.html",
            page(&format!("<pre>{}</pre>", "wide".repeat(150))),
        );
        let dir = overrides.path().display().to_string();
        let portal = Portal::start_with(&[("PORTCULLIS_TEMPLATES_DIR", dir.as_str())]);
        let chromium = Chromium::start("detectors").await;
        let browser = chromium.profile("probe", &portal.base).await;

        browser.goto("/login").await;
        let errors = browser.page_errors().await;
        assert!(
            errors
                .iter()
                .any(|e| e.contains("Content Security Policy") && e.contains("inline")),
            "an inline script is reported: {errors:?}"
        );
        let title = browser.js("return document.title;").await;
        assert_ne!(
            title,
            Value::from("inline script ran"),
            "and it did not run"
        );

        browser.goto("/register").await;
        let errors = browser.page_errors().await;
        assert!(
            errors
                .iter()
                .any(|e| e.contains("Content Security Policy") && e.contains("style")),
            "an inline style is reported: {errors:?}"
        );

        browser.goto("/nowhere").await;
        assert_eq!(browser.status().await, 404);
        let errors = browser.page_errors().await;
        assert!(
            errors.iter().any(|e| e.contains("/static/missing.png")),
            "a missing file is reported, the page's own 404 is not all: {errors:?}"
        );

        browser.goto(&portal.setup_url).await;
        assert!(browser.page_errors().await.is_empty());
        assert!(
            browser.phone_overflow().await > 0,
            "a page wider than 390px is reported"
        );
        browser.close().await;
    });
}

/// The contrast ratio (WCAG 2) of each element's text against the background it
/// sits on, and the page background, in the current colour scheme.
const CONTRAST: &str = r#"
const rgb = c => c.match(/[\d.]+/g).map(Number);
const lum = ([r, g, b]) => [r, g, b].map(v => v / 255)
  .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
  .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
const ground = el => {
  for (; el; el = el.parentElement) {
    const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c;
  }
  return [255, 255, 255];
};
const ratio = el => {
  const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(ground(el))];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
};
const pick = {
  heading: 'h1', text: 'label', hint: '.aside', link: '.aside a', button: 'button[type=submit]',
  error: '.error', brand: '.brand',
};
const out = { background: getComputedStyle(document.body).backgroundColor };
for (const [name, selector] of Object.entries(pick)) {
  const el = document.querySelector(selector);
  out[name] = el ? ratio(el) : null;
}
return out;
"#;

#[test]
#[ignore = "needs chromium and chromedriver"]
fn browser_pages_follow_the_colour_scheme_and_stay_readable() {
    run(async {
        let portal = Portal::start();
        let chromium = Chromium::start("look").await;
        let browser = chromium.profile("visitor", &portal.base).await;
        browser.visit("/login", "login").await;
        sign_in(
            &browser,
            "nobody@example.com",
            PASSWORD,
            false,
            "login-error",
        )
        .await;
        browser.sees("Invalid email or password.").await;

        let mut backgrounds = Vec::new();
        for scheme in [Scheme::Light, Scheme::Dark] {
            browser.emulate(Device::Desktop, scheme).await;
            let measured = browser.js(CONTRAST).await;
            for (name, ratio) in measured.as_object().expect("an object") {
                if name == "background" {
                    continue;
                }
                let ratio = ratio
                    .as_f64()
                    .unwrap_or_else(|| panic!("no {name} on the page"));
                assert!(
                    ratio >= 4.5,
                    "{scheme:?}: {name} has contrast {ratio:.2}, under WCAG AA's 4.5"
                );
            }
            backgrounds.push(measured["background"].clone());
        }
        assert_ne!(
            backgrounds[0], backgrounds[1],
            "the dark scheme changes the page"
        );

        // Focus is visible, reached with the keyboard as a keyboard user reaches it.
        browser
            .js("document.querySelector('#email').focus();")
            .await;
        for target in ["#password", "#remember", "button[type=submit]"] {
            browser
                .client()
                .active_element()
                .await
                .expect("a focused element")
                .send_keys("\u{E004}")
                .await
                .expect("press Tab");
            let outline = browser
                .js(&format!(
                    "const el = document.activeElement; const s = getComputedStyle(el); \
                     return el.matches('{target}') && s.outlineStyle !== 'none' \
                     && parseFloat(s.outlineWidth) >= 2;"
                ))
                .await;
            assert_eq!(
                outline,
                Value::Bool(true),
                "Tab reaches {target} and shows it"
            );
        }

        // DevTools reach WebAuthn's virtual authenticator (passkey scenarios need it).
        let id = browser.add_virtual_authenticator().await;
        assert!(!id.is_empty(), "a virtual authenticator was added");
        browser.close().await;
    });
}
