package com.wechathub.campaign;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.wechathub.support.FakeWechatApi;
import com.wechathub.support.ProdTestProperties;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
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
 * The console's Campaigns tab in a real headless browser (Debian's chromium and chromedriver),
 * against the whole hub on the real servers with WireMock as WeChat's API: an operator sees every
 * campaign of account "api" with its figures, opens one campaign's daily chart, makes its QR code
 * and sees the image, and publishes the menu after a confirmation naming the account.
 */
class CampaignsConsoleTests extends CampaignIntegrationTest {

    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    static final Duration WAIT = Duration.ofSeconds(20);
    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    /** WeChat's menu before publishing: an older one. */
    static final String OLD_MENU = "{\"is_menu_open\":1,\"selfmenu_info\":{\"button\":[{\"type\":\"click\",\"name\":\"Old\",\"key\":\"V0_OLD\"}]}}";

    static Path profile;
    static WebDriver browser;

    @BeforeAll
    static void startTheBrowser() throws IOException {
        assertThat(new File(CHROMIUM).canExecute()).as("chromium is installed (apt-get install chromium chromium-driver)").isTrue();
        assertThat(new File(CHROMEDRIVER).canExecute()).as("chromedriver is installed (apt-get install chromium-driver)").isTrue();
        profile = Files.createTempDirectory("campaigns-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,1300", "--user-data-dir=" + profile);
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
    void signedOutWithHistory() {
        event("oA", "subscribe", "qrscene_spring_poster", TODAY.minusDays(3));
        event("oB", "subscribe", "qrscene_spring_poster", TODAY);
        event("oC", "SCAN", "spring_poster", TODAY);
        event("oC", "SCAN", "spring_poster", TODAY.minusDays(1));
        event("oD", "subscribe", "qrscene_store_door", TODAY.minusDays(1));
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/showqrcode"))
                .willReturn(aResponse().withHeader("Content-Type", "image/png").withBody(qrLookingPng())));
        // WeChat has an older menu until menu/create is called
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/get_current_selfmenu_info")).inScenario("menu").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(OLD_MENU)));
        wechat.stubFor(post(urlPathEqualTo("/cgi-bin/menu/create")).inScenario("menu")
                .willReturn(okJson("{\"errcode\":0,\"errmsg\":\"ok\"}")).willSetStateTo("published"));
        wechat.stubFor(get(urlPathEqualTo("/cgi-bin/get_current_selfmenu_info")).inScenario("menu").whenScenarioStateIs("published")
                .willReturn(okJson(FakeWechatApi.MENU_IN_WECHAT)));

        browser.get("http://127.0.0.1:" + port + "/admin/console");
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear();");
        browser.navigate().refresh();
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    }

    @Test
    void anOperatorSeesTheCampaignsOpensAChartMakesAQrCodeAndPublishesTheMenu() {
        signIn();
        browser.findElement(By.cssSelector("#tabs button[data-tab='campaigns']")).click();
        WebElement spring = waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#campaigns tr[data-scene='spring_poster']")));
        assertThat(browser.findElement(By.id("c-account")).getAttribute("value")).isEqualTo("api");
        assertThat(figure(spring, "follows")).isEqualTo("2");
        assertThat(figure(spring, "scans")).isEqualTo("2");
        assertThat(figure(spring, "newFollowers")).isEqualTo("2");
        assertThat(spring.getText()).contains("Spring poster").contains("temporary, 7 days").contains("no code made yet")
                .contains("spring").contains("poster");
        assertThat(spring.findElement(By.className("spark")).getText()).isEqualTo("0 · 0 · 0 · 1 · 0 · 0 (1) · 1 (1)");
        WebElement store = browser.findElement(By.cssSelector("#campaigns tr[data-scene='store_door']"));
        assertThat(store.getText()).contains("Store door").contains("permanent");
        assertThat(figure(store, "follows")).isEqualTo("1");

        // one campaign's chart: bars for the days with events, labelled axes
        spring.click();
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#campaign-chart svg")));
        waitFor().until(d -> d.findElements(By.cssSelector("#campaign-chart rect.bar")).size() == 4);
        assertThat(text("campaign-name")).isEqualTo("Spring poster (spring_poster)");
        assertThat(browser.findElements(By.cssSelector("#campaign-chart g.day"))).hasSize(30);
        assertThat(browser.findElements(By.cssSelector("#campaign-chart rect.bar-newFollowers"))).hasSize(2);
        assertThat(browser.findElements(By.cssSelector("#campaign-chart rect.bar-scans"))).hasSize(2);
        assertThat(browser.findElement(By.cssSelector("#campaign-chart g.day[data-day='" + TODAY + "'] rect.bar-scans"))
                .getAttribute("data-value")).isEqualTo("1");
        List<String> xLabels = browser.findElements(By.cssSelector("#campaign-chart text.x-label")).stream().map(WebElement::getText).toList();
        assertThat(xLabels).contains(TODAY.toString().substring(5));
        List<String> yLabels = browser.findElements(By.cssSelector("#campaign-chart text.y-label")).stream().map(WebElement::getText).toList();
        assertThat(yLabels).startsWith("0").contains("1");
        assertThat(text("campaign-chart")).contains("events per day").contains("new followers").contains("scans by followers");

        // make the QR code: the image is fetched with the token and drawn on a canvas
        spring.findElement(By.className("make-qrcode")).click();
        waitFor().until(ExpectedConditions.textMatches(By.id("campaigns-outcome"), Pattern.compile("QR code of Spring poster made, valid until")));
        WebElement canvas = waitFor().until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#campaigns tr[data-scene='spring_poster'] canvas.qr[data-drawn='true']")));
        assertThat(pixel(canvas, 3, 3)).as("the white quiet zone").isEqualTo(List.of(255L, 255L, 255L, 255L));
        assertThat(pixel(canvas, 96, 96)).as("a black module in the middle").isEqualTo(List.of(0L, 0L, 0L, 255L));
        WebElement made = browser.findElement(By.cssSelector("#campaigns tr[data-scene='spring_poster']"));
        assertThat(made.findElements(By.className("make-qrcode"))).as("a valid code is not made again").isEmpty();
        assertThat(made.getText()).contains(FakeWechatApi.QR_URL).contains("expires ");

        // the menu beside WeChat's, published after a confirmation that names the account
        waitFor().until(ExpectedConditions.textToBe(By.id("menu-same"), "WeChat's menu differs from the configured one"));
        assertThat(text("menu-configured")).contains("Today").contains("click V1001_TODAY").contains("More").contains("view https://example.com/");
        assertThat(text("menu-wechat")).contains("Old").contains("click V0_OLD");
        screenshot("campaigns-before-publishing");
        browser.findElement(By.id("publish-menu")).click();
        var confirm = waitFor().until(ExpectedConditions.alertIsPresent());
        assertThat(confirm.getText()).contains("Publish the configured menu of account api to WeChat?");
        confirm.dismiss();
        waitFor().until(ExpectedConditions.textToBe(By.id("menu-outcome"), "Publishing cancelled."));
        wechat.verify(0, postRequestedFor(urlPathEqualTo("/cgi-bin/menu/create")));

        browser.findElement(By.id("publish-menu")).click();
        waitFor().until(ExpectedConditions.alertIsPresent()).accept();
        waitFor().until(ExpectedConditions.textToBe(By.id("menu-outcome"), "Published to WeChat for api: errcode 0 (ok)."));
        waitFor().until(ExpectedConditions.textToBe(By.id("menu-same"), "WeChat has the configured menu"));
        assertThat(text("menu-wechat")).contains("News").doesNotContain("Old");
        wechat.verify(1, postRequestedFor(urlPathEqualTo("/cgi-bin/menu/create")));
        screenshot("campaigns-published");
    }

    @Test
    void signingOutTakesTheCampaignsOffThePage() {
        signIn();
        browser.findElement(By.cssSelector("#tabs button[data-tab='campaigns']")).click();
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#campaigns tr[data-scene='spring_poster']")));
        browser.findElement(By.id("sign-out")).click();
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertThat(browser.getPageSource()).doesNotContain("Spring poster").doesNotContain("V1001_TODAY");
    }

    // --- helpers --------------------------------------------------------------------------------

    void event(String openId, String event, String eventKey, LocalDate day) {
        long createTime = day.atStartOfDay(ZoneOffset.UTC).plusHours(1).toEpochSecond();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO wechat_event (id, account, open_id, msg_type, event, event_key, create_time, fields, raw_xml,"
                        + " status, next_attempt_at, received_at) VALUES (?, 'api', ?, 'event', ?, ?, ?, '{}', '<xml/>', 'done', ?, ?)",
                UUID.randomUUID().toString(), openId + this.openId, event, eventKey, createTime, now, now);
    }

    /** 24×24 modules: a white border of 2, then black and white columns, the middle black. */
    static byte[] qrLookingPng() {
        BufferedImage image = new BufferedImage(24, 24, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 24; x++) {
                boolean border = x < 2 || y < 2 || x >= 22 || y >= 22;
                boolean middle = x >= 10 && x < 14 && y >= 10 && y < 14;
                image.setRGB(x, y, (border || (!middle && x % 2 == 1) ? Color.WHITE : Color.BLACK).getRGB());
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png.toByteArray();
    }

    @SuppressWarnings("unchecked")
    List<Long> pixel(WebElement canvas, int x, int y) {
        return (List<Long>) ((JavascriptExecutor) browser).executeScript(
                "return Array.from(arguments[0].getContext('2d').getImageData(arguments[1], arguments[2], 1, 1).data);", canvas, x, y);
    }

    String figure(WebElement row, String figure) {
        return row.findElement(By.cssSelector("td[data-figure='" + figure + "']")).getText();
    }

    void signIn() {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(ProdTestProperties.ADMIN_TOKEN);
        browser.findElement(By.id("sign-in-button")).click();
        waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("console")));
    }

    String text(String id) {
        return browser.findElement(By.id(id)).getText();
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
