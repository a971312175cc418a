//! What a person does with a [`Profile`]: open a page, fill a labelled field, tick a
//! box, open a disclosure, press a button or follow a link and wait for the page it
//! leads to (then [`inspect`](Profile::inspect) it), read what the page says.

use fantoccini::Locator;

use super::harness::Profile;

impl Profile {
    /// Opens `path` on the portal as if typed into the address bar, then inspects it.
    pub async fn visit(&self, path: &str, label: &str) {
        self.goto(path).await;
        self.inspect(label).await;
    }

    /// Opens `path` without inspecting it (for the detector's own tests).
    pub async fn goto(&self, path: &str) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("[{}] cannot open {url}: {e}", self.name));
        self.until(
            "the page to load",
            "return document.readyState === 'complete';",
        )
        .await;
    }

    /// The path and query of the page shown.
    pub async fn path(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            },
            Err(e) => format!("(no URL: {e})"),
        }
    }

    /// The text a person sees on the page.
    pub async fn text(&self) -> String {
        self.js("return document.body.innerText;")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Asserts the page shows `wanted`.
    pub async fn sees(&self, wanted: &str) {
        let text = self.text().await;
        assert!(
            text.contains(wanted),
            "[{}] {} does not show {wanted:?}:\n{text}",
            self.name,
            self.path().await
        );
    }

    /// Asserts the page does not show `unwanted`.
    pub async fn does_not_see(&self, unwanted: &str) {
        let text = self.text().await;
        assert!(
            !text.contains(unwanted),
            "[{}] {} shows {unwanted:?}:\n{text}",
            self.name,
            self.path().await
        );
    }

    /// The HTTP status the current page was served with.
    pub async fn status(&self) -> u64 {
        self.js("return performance.getEntriesByType('navigation')[0].responseStatus;")
            .await
            .as_u64()
            .unwrap_or_default()
    }

    /// Types `text` into the input labelled `label` (found by its `<label>`, as a
    /// person finds it), replacing what was there.
    pub async fn fill(&self, label: &str, text: &str) {
        let input = self
            .client
            .find(Locator::XPath(&format!(
                "//input[@id=//label[normalize-space()='{label}' or \
                 starts-with(normalize-space(), '{label} (')]/@for]"
            )))
            .await
            .unwrap_or_else(|e| panic!("[{}] no input labelled {label:?}: {e}", self.name));
        input.clear().await.expect("clear the input");
        input.send_keys(text).await.expect("type into the input");
    }

    /// Ticks (or unticks) the checkbox labelled `label`.
    pub async fn tick(&self, label: &str) {
        self.click_xpath(&format!(
            "//label[normalize-space()='{label}']/input[@type='checkbox']"
        ))
        .await;
    }

    /// Clicks the element at `xpath`; no navigation is expected.
    pub async fn click_xpath(&self, xpath: &str) {
        let element = match self.client.find(Locator::XPath(xpath)).await {
            Ok(element) => element,
            Err(e) => panic!(
                "[{}] nothing at {xpath} on {}: {e}",
                self.name,
                self.path().await
            ),
        };
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("[{}] cannot click {xpath}: {e}", self.name));
    }

    /// Opens the disclosure whose summary reads `summary` ("Log out everywhere…").
    pub async fn open(&self, summary: &str) {
        self.open_in("", summary).await;
    }

    /// Opens a disclosure inside the element at `scope` (an XPath, "" for the page).
    pub async fn open_in(&self, scope: &str, summary: &str) {
        self.click_xpath(&format!("{scope}//summary[normalize-space()='{summary}']"))
            .await;
    }

    /// Presses the visible button labelled `label` and waits for the page it leads
    /// to, then inspects that page under `label_next`.
    pub async fn press(&self, label: &str, next: &str) {
        self.press_in("", label, next).await;
    }

    /// [`press`](Self::press) for a button inside `scope` (an XPath).
    pub async fn press_in(&self, scope: &str, label: &str, next: &str) {
        self.click_and_wait(&format!("{scope}//button[normalize-space()='{label}']"))
            .await;
        self.inspect(next).await;
    }

    /// Presses the button labelled `label` and waits for the next page without
    /// inspecting it: for the one step that must follow at once (a form posted
    /// within the re-authentication window).
    pub async fn press_quietly(&self, label: &str) {
        self.click_and_wait(&format!("//button[normalize-space()='{label}']"))
            .await;
    }

    /// The text of the element with id `id`.
    pub async fn text_of(&self, id: &str) -> String {
        self.js(&format!(
            "return document.getElementById('{id}').textContent.trim();"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Follows the link reading `text` and inspects the page it leads to.
    pub async fn follow(&self, text: &str, next: &str) {
        self.click_and_wait(&format!("//a[normalize-space()='{text}']"))
            .await;
        self.inspect(next).await;
    }

    /// Clicks and waits until a new document has replaced this one.
    async fn click_and_wait(&self, xpath: &str) {
        self.js("window.__portcullisOldPage = true;").await;
        self.click_xpath(xpath).await;
        self.until(
            &format!("the page after clicking {xpath}"),
            "return window.__portcullisOldPage === undefined && document.readyState === 'complete';",
        )
        .await;
    }

    /// The cookie `name`, as the browser holds it.
    pub async fn cookie(&self, name: &str) -> Option<cookie::Cookie<'static>> {
        self.client
            .get_all_cookies()
            .await
            .expect("cookies")
            .into_iter()
            .find(|c| c.name() == name)
    }
}
