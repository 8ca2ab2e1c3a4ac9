package com.wechathub.admin;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.serverError;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.ProdTestProperties;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.util.FileSystemUtils;

/**
 * The operator console in a real headless browser (Debian's chromium and chromedriver, which
 * .ci/run installs), against the whole hub on the real PostgreSQL, Redis and RabbitMQ, with
 * WireMock as a CRM that fails: an operator signs in, finds the dead event, sees why it died,
 * replays it and sees it done with every attempt kept; the live figures of the last hour are a
 * chart; a wrong token shows nothing; hostile text from a push stays text.
 * One browser for the class; each test starts from a signed-out page.
 */
class ConsoleBrowserTests extends HubIntegrationTest {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final Duration WAIT = Duration.ofSeconds(20);

    static Path profile;
    static WebDriver browser;

    @BeforeAll
    static void startTheBrowser() throws IOException {
        assertThat(new File(CHROMIUM).canExecute()).as("chromium is installed (apt-get install chromium chromium-driver)").isTrue();
        assertThat(new File(CHROMEDRIVER).canExecute()).as("chromedriver is installed (apt-get install chromium-driver)").isTrue();
        profile = Files.createTempDirectory("console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM); // explicit, so Selenium Manager looks for (and downloads) nothing
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            FileSystemUtils.deleteRecursively(profile.toFile());
        }
    }

    @BeforeEach
    void signedOut() {
        browser.get(console());
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear();");
        browser.navigate().refresh();
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    }

    @Test
    void anOperatorFindsADeadEventSeesWhyItDiedReplaysItAndSeesItDone() {
        crm.stubFor(any(anyUrl()).willReturn(serverError()));
        client.send(Fixtures.push("event-unsubscribe", openId, createTime));
        await().atMost(WAIT).until(() -> "dead".equals(state.events(openId).get(0).get("status")));
        String id = (String) state.events(openId).get(0).get("id");

        signIn(ProdTestProperties.ADMIN_TOKEN);
        // the inbox at a glance: one dead event
        waitFor().until(ExpectedConditions.textToBe(By.cssSelector("#count-dead .value"), "1"));
        assertThat(text("oldest-waiting")).isEqualTo("none waiting");
        assertThat(browser.findElement(By.cssSelector("#by-event tr[data-event='unsubscribe']")).getText()).contains("unsubscribe");
        waitFor().until(ExpectedConditions.not(ExpectedConditions.textToBe(By.id("fig-backlog"), "–")));
        waitFor().until(ExpectedConditions.textMatches(By.id("fig-p99"), Pattern.compile("^\\d+(\\.\\d+)? ms$")));
        assertThat(Double.parseDouble(text("fig-pushes"))).isPositive(); // the push a moment ago

        // click the dead count: the events tab, filtered to dead
        browser.findElement(By.id("count-dead")).click();
        WebElement row = waitFor().until(ExpectedConditions.elementToBeClickable(By.cssSelector("#events tr[data-id='" + id + "']")));
        assertThat(row.getText()).contains(openId).contains("dead").contains("unsubscribe").contains("500");
        assertThat(browser.findElements(By.cssSelector("#events tbody tr"))).hasSize(1);

        row.click();
        waitFor().until(ExpectedConditions.textToBe(By.id("event-id"), id));
        assertThat(text("event-error")).contains("statusCode: 500");
        assertThat(text("event-xml")).contains("<Event><![CDATA[unsubscribe]]></Event>").contains(openId);
        assertThat(column("event-columns", "attempts")).isEqualTo("6");
        assertThat(column("event-columns", "status")).isEqualTo("dead");
        assertThat(column("event-columns", "nextAttemptAt")).startsWith("none: the event is dead");

        // the CRM is back; replay, confirm, and watch it go through
        crm.resetAll();
        crm.stubFor(any(anyUrl()).willReturn(ok()));
        browser.findElement(By.id("replay-event")).click();
        waitFor().until(ExpectedConditions.alertIsPresent()).accept();
        waitFor().until(ExpectedConditions.textMatches(By.id("event-outcome"), Pattern.compile("now done")));
        assertThat(column("event-columns", "status")).isEqualTo("done");
        assertThat(state.events(openId).get(0)).containsEntry("status", "done");
        // the replay kept the event's history: six attempts until it died, the replay, the attempt that did it
        List<WebElement> history = browser.findElements(By.cssSelector("#event-history tbody tr"));
        assertThat(history).extracting(tr -> tr.getAttribute("data-outcome"))
                .containsExactly("retry", "retry", "retry", "retry", "retry", "dead", "replayed", "done");
        assertThat(history).extracting(tr -> tr.findElement(By.cssSelector("td:first-child")).getText())
                .containsExactly("1", "2", "3", "4", "5", "6", "", "7");
        assertThat(history.get(0).getText()).contains("statusCode: 500");
        assertThat(history.get(6).getText()).contains("by the operator API from 127.0.0.1");
        assertThat(history.get(7).findElement(By.className("history-error")).getText()).isEmpty();
        assertThat(history.get(0).findElement(By.cssSelector("td.time")).getAttribute("title"))
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()", browser.findElement(By.id("event-history")));
        screenshot("console-history");
        crm.verify(1, deleteRequestedFor(urlEqualTo("/bindings/demo/" + openId)));
        screenshot("console-replayed");
        tab("overview");
        waitFor().until(ExpectedConditions.textToBe(By.cssSelector("#count-dead .value"), "0"));
        assertThat(text("count-done")).contains("1");
    }

    @Test
    void theLiveFiguresAreAlsoDrawnAsTheLastHourBesideTheCards() {
        client.send(Fixtures.push("event-click", openId, createTime));
        signIn(ProdTestProperties.ADMIN_TOKEN);
        // a point every 10 s, drawn on each refresh: wait for a line of two points at least
        new WebDriverWait(browser, Duration.ofSeconds(45)).until(d -> d.findElements(By.cssSelector("#live-rates circle.last-pushesPerSecond"))
                .stream().anyMatch(last -> Integer.parseInt(last.getAttribute("data-points")) >= 2));
        for (String chart : List.of("live-rates", "live-p99", "live-backlog")) {
            assertThat(browser.findElements(By.cssSelector("#" + chart + " svg polyline.line"))).as(chart).isNotEmpty();
            assertThat(browser.findElements(By.cssSelector("#" + chart + " text.y-label"))).as(chart).hasSizeGreaterThan(1);
            assertThat(text(chart)).as(chart).contains("the last hour");
        }
        WebElement pushes = browser.findElement(By.cssSelector("#live-rates polyline.line-pushesPerSecond"));
        int points = Integer.parseInt(browser.findElement(By.cssSelector("#live-rates circle.last-pushesPerSecond")).getAttribute("data-points"));
        assertThat(pushes.getAttribute("points").trim().split("\\s+")).hasSize(points);
        assertThat(text("live-rates")).contains("pushes / s").contains("done / s");
        assertThat(text("live-p99")).contains("answer p99 (ms)");
        assertThat(text("live-backlog")).contains("backlog");
        assertThat(text("live-window")).contains("one per 10 s");
        // beside today's cards, in the same tab
        assertThat(browser.findElement(By.id("fig-pushes")).isDisplayed()).isTrue();
        assertThat(browser.findElement(By.id("live-rates")).isDisplayed()).isTrue();
        screenshot("console-last-hour");
    }

    @Test
    void aDeclinedConfirmationReplaysNothing() {
        crm.stubFor(any(anyUrl()).willReturn(serverError()));
        client.send(Fixtures.push("event-unsubscribe", openId, createTime));
        await().atMost(WAIT).until(() -> "dead".equals(state.events(openId).get(0).get("status")));
        signIn(ProdTestProperties.ADMIN_TOKEN);
        tab("events");
        browser.findElement(By.id("f-openid")).sendKeys(openId);
        browser.findElement(By.id("search")).click();
        waitFor().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#events tbody tr"), 1));

        browser.findElement(By.id("replay-matching")).click();
        var confirm = waitFor().until(ExpectedConditions.alertIsPresent());
        assertThat(confirm.getText()).contains("Replay 1 dead event(s) matching status = dead, openId = " + openId + "?");
        confirm.dismiss();
        waitFor().until(ExpectedConditions.textToBe(By.id("events-outcome"), "Replay cancelled."));
        assertThat(state.events(openId).get(0)).containsEntry("status", "dead");

        crm.resetAll();
        crm.stubFor(any(anyUrl()).willReturn(ok()));
        browser.findElement(By.id("replay-matching")).click();
        waitFor().until(ExpectedConditions.alertIsPresent()).accept();
        waitFor().until(ExpectedConditions.textMatches(By.id("events-outcome"), Pattern.compile("^1 dead event\\(s\\) put back")));
        await().atMost(WAIT).until(() -> "done".equals(state.events(openId).get(0).get("status")));
    }

    @Test
    void replayingADoneEventAsksAgainNamingTheCrmCallItRepeats() {
        client.send(Fixtures.push("event-subscribe", openId, createTime));
        await().atMost(WAIT).until(() -> "done".equals(state.events(openId).get(0).get("status")));
        String id = (String) state.events(openId).get(0).get("id");
        signIn(ProdTestProperties.ADMIN_TOKEN);
        tab("events");
        waitFor().until(ExpectedConditions.elementToBeClickable(By.cssSelector("#events tr[data-id='" + id + "']"))).click();
        waitFor().until(ExpectedConditions.textToBe(By.id("event-id"), id));

        browser.findElement(By.id("replay-event")).click();
        waitFor().until(ExpectedConditions.alertIsPresent()).accept();
        var again = waitFor().until(ExpectedConditions.alertIsPresent());
        assertThat(again.getText()).contains("is done").contains("PUT /bindings/demo/" + openId).contains("demo.subscribe");
        again.dismiss();
        waitFor().until(ExpectedConditions.textToBe(By.id("event-outcome"), "Replay cancelled."));
        crm.verify(1, com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor(urlEqualTo("/bindings/demo/" + openId)));

        browser.findElement(By.id("replay-event")).click();
        waitFor().until(ExpectedConditions.alertIsPresent()).accept();
        waitFor().until(ExpectedConditions.alertIsPresent()).accept();
        waitFor().until(ExpectedConditions.textMatches(By.id("event-outcome"), Pattern.compile("now done")));
        crm.verify(2, com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor(urlEqualTo("/bindings/demo/" + openId)));
    }

    @Test
    void timesAreLocalWithTheirZoneAndIsoInATooltipAndCellsKeepWordsWhole() {
        client.send(Fixtures.push("event-click", openId, createTime));
        await().atMost(WAIT).until(() -> state.eventCount(openId) == 1);
        signIn(ProdTestProperties.ADMIN_TOKEN);
        tab("events");
        WebElement received = waitFor().until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#events tbody tr:first-child td.time")));
        assertThat(received.getAttribute("title")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        String zone = (String) ((JavascriptExecutor) browser).executeScript(
                "return new Intl.DateTimeFormat(undefined, {timeZoneName: 'short'}).formatToParts(new Date())"
                        + ".find(p => p.type === 'timeZoneName').value");
        assertThat(received.getText()).matches(".*\\d{2}:\\d{2}:\\d{2}.*").endsWith(zone);
        browser.findElement(By.cssSelector("#events tbody tr:first-child")).click();
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("event-columns")));
        WebElement at = browser.findElement(By.cssSelector("#event-columns tr[data-column='receivedAt'] td"));
        assertThat(at.getText()).isEqualTo(received.getText());
        assertThat(at.getAttribute("title")).isEqualTo(received.getAttribute("title"));
        for (WebElement cell : browser.findElements(By.cssSelector("#events td, #event-columns td"))) {
            assertThat(cell.getCssValue("word-break")).isEqualTo("normal");
            assertThat(cell.getCssValue("overflow-wrap")).isEqualTo("normal");
        }
    }

    @Test
    void aWrongTokenShowsNothingButTheSignIn() {
        client.send(Fixtures.push("event-click", openId, createTime));
        await().atMost(WAIT).until(() -> state.eventCount(openId) == 1);

        signIn("not-the-token");
        waitFor().until(ExpectedConditions.textToBe(By.id("sign-in-error"), "That token is not accepted."));
        assertThat(browser.findElement(By.id("console")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("token")).isDisplayed()).isTrue();
        assertThat(browser.findElements(By.cssSelector("#events tbody tr, #status-cards .card, #route-files tbody tr"))).isEmpty();
        assertThat(browser.getPageSource()).doesNotContain(openId);
        assertThat(((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('hubAdminToken')")).isNull();

        // and the right one, afterwards, shows the inbox
        signIn(ProdTestProperties.ADMIN_TOKEN);
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("status-cards")));
        tab("events");
        waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("events"), openId));
        // signing out takes the data off the page, not only out of sight
        browser.findElement(By.id("sign-out")).click();
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertThat(browser.getPageSource()).doesNotContain(openId);
    }

    @Test
    void anOpenIdOrEventKeyWithMarkupIsShownAsTextAndRunsNothing() {
        String hostileOpenId = "<img src=x onerror=\"window.pwned='openid'\">" + createTime;
        String hostileKey = "<script>window.pwned='key'</script><b>bold</b>";
        client.send(Fixtures.withEventKey(Fixtures.push("event-click", hostileOpenId, createTime), hostileKey));
        await().atMost(WAIT).until(() -> state.eventCount(hostileOpenId) == 1);
        String id = (String) state.events(hostileOpenId).get(0).get("id");

        signIn(ProdTestProperties.ADMIN_TOKEN);
        tab("events");
        WebElement row = waitFor().until(ExpectedConditions.elementToBeClickable(By.cssSelector("#events tr[data-id='" + id + "']")));
        assertThat(row.findElement(By.className("open-id")).getText()).isEqualTo(hostileOpenId);
        assertThat(row.findElement(By.className("event-key")).getText()).isEqualTo(hostileKey);
        assertThat(row.findElements(By.cssSelector("img, script, b"))).isEmpty();

        row.click();
        waitFor().until(ExpectedConditions.textToBe(By.id("event-id"), id));
        assertThat(column("event-columns", "openId")).isEqualTo(hostileOpenId);
        assertThat(column("event-columns", "eventKey")).isEqualTo(hostileKey);
        assertThat(text("event-xml")).contains("<FromUserName><![CDATA[" + hostileOpenId + "]]></FromUserName>")
                .contains("<EventKey><![CDATA[" + hostileKey + "]]></EventKey>");
        assertThat(text("event-fields")).contains("window.pwned='key'");
        assertThat(browser.findElements(By.cssSelector("#event img, #event script, #event b, #events img, #events b"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript("return typeof window.pwned")).isEqualTo("undefined");
    }

    @Test
    void theListPagesToOlderEventsAndAnEventShowsItsFollower() {
        jdbc.update("""
                INSERT INTO wechat_follower (account, open_id, subscribed, scene, updated_at)
                VALUES ('demo', ?, TRUE, 'poster-42', CURRENT_TIMESTAMP)""", openId);
        for (int i = 0; i < 105; i++) {
            jdbc.update("""
                    INSERT INTO wechat_event (id, account, open_id, msg_type, event, event_key, create_time, fields, raw_xml,
                                              status, attempts, next_attempt_at, received_at)
                    VALUES (?, 'demo', ?, 'event', 'CLICK', ?, ?, '{}', '<xml/>', 'done', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)""",
                    "page-" + i + "-" + createTime, openId, "KEY_" + i, createTime + i);
        }
        signIn(ProdTestProperties.ADMIN_TOKEN);
        tab("events");
        waitFor().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#events tbody tr"), 100));
        assertThat(browser.findElement(By.cssSelector("#events tbody tr:first-child .event-key")).getText()).isEqualTo("KEY_104");
        browser.findElement(By.id("next-page")).click();
        waitFor().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#events tbody tr"), 5));
        assertThat(browser.findElement(By.cssSelector("#events tbody tr:first-child .event-key")).getText()).isEqualTo("KEY_4");
        assertThat(browser.findElement(By.id("next-page")).isEnabled()).isFalse();
        browser.findElement(By.id("first-page")).click();
        waitFor().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#events tbody tr"), 100));

        browser.findElement(By.cssSelector("#events tr[data-id='page-7-" + createTime + "']")).click();
        waitFor().until(ExpectedConditions.textToBe(By.id("event-id"), "page-7-" + createTime));
        assertThat(column("follower", "scene")).isEqualTo("poster-42");
        assertThat(column("follower", "subscribed")).isEqualTo("true");
        assertThat(browser.findElements(By.cssSelector("#follower-events tbody tr"))).hasSize(50); // the latest 50 others
        assertThat(text("follower-events")).contains("KEY_104").contains("KEY_55").doesNotContain("KEY_54");
    }

    @Test
    void theConfigurationTabListsTheRouteFilesRunningAndTheAccountsServing() {
        signIn(ProdTestProperties.ADMIN_TOKEN);
        tab("routes");
        waitFor().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#route-files tr[data-file='wechat-push.camel.yaml']")));
        assertThat(text("route-files")).contains("wechat-callback.camel.yaml").contains("platform-http:/wechat/{account}")
                .contains("Started").contains("(route configuration)");
        assertThat(text("reload-outcome")).isNotEmpty();
        // the other half of what operators edit live: the accounts of application.yaml
        assertThat(text("accounts-serving")).contains("serving").contains("demo").contains("api");
        assertThat(text("accounts-outcome")).isNotEmpty();
    }

    // --- helpers --------------------------------------------------------------------------------

    String console() {
        return "http://127.0.0.1:" + port + "/admin/console";
    }

    void signIn(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.id("sign-in-button")).click();
        if (token.equals(ProdTestProperties.ADMIN_TOKEN)) {
            waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("console")));
        }
    }

    void tab(String name) {
        browser.findElement(By.cssSelector("#tabs button[data-tab='" + name + "']")).click();
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("tab-" + name)));
    }

    String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    String column(String table, String column) {
        List<WebElement> cells = browser.findElements(By.cssSelector("#" + table + " tr[data-column='" + column + "'] td"));
        assertThat(cells).as("%s shows column %s", table, column).hasSize(1);
        return cells.get(0).getText();
    }

    WebDriverWait waitFor() {
        return new WebDriverWait(browser, WAIT);
    }

    /** Kept in target/ for a person to look at; not part of any assertion. */
    void screenshot(String name) {
        try {
            Path target = Path.of("target", "console-screenshots");
            Files.createDirectories(target);
            Files.write(target.resolve(name + ".png"), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
