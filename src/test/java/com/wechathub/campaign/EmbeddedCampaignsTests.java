package com.wechathub.campaign;

import com.wechathub.support.IntegrationTier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.support.Fixtures;
import com.wechathub.support.PushClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * Campaigns and the menu in the embedded default profile, as a newcomer meets them after
 * {@code mvn spring-boot:run}: the shipped demo account's campaigns and menu (application.yaml),
 * the stand-in WeChat API making QR codes, drawing their images and keeping the menu, and a
 * follow through a campaign's code answered with its reply and counted in its figures.
 */
@IntegrationTier
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:embedded-campaigns;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1",
        "hub.dispatch.poll-interval=50",
        "hub.admin.token=" + EmbeddedCampaignsTests.ADMIN_TOKEN,
})
class EmbeddedCampaignsTests {

    static final String ADMIN_TOKEN = "embedded-campaigns-admin-token";
    static final int PORT = freePort();
    static final int MANAGEMENT_PORT = freePort();
    static final Path OUTBOX = tempDir();
    final ObjectMapper json = new ObjectMapper();
    final PushClient client = PushClient.shippedDemo(PORT);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("management.server.port", () -> MANAGEMENT_PORT);
        registry.add("hub.broker.uri", () -> "file:" + OUTBOX);
    }

    @AfterAll
    static void removeOutbox() {
        FileSystemUtils.deleteRecursively(OUTBOX.toFile());
    }

    @Test
    void theStandInMakesACampaignsQrCodeAndTheHubServesItsImage() throws Exception {
        Instant before = Instant.now();
        HttpResponse<String> made = operator("POST", "/admin/accounts/demo/campaigns/spring_poster/qrcode");

        assertThat(made.statusCode()).as(made.body()).isEqualTo(200);
        JsonNode code = json.readTree(made.body());
        assertThat(code.get("ticket").asText()).isNotBlank();
        assertThat(code.get("url").asText()).startsWith("http://weixin.qq.com/q/stand-in-");
        assertThat(Instant.parse(code.get("expiresAt").asText()))
                .isBetween(before.plus(Duration.ofDays(7)).minusSeconds(1), Instant.now().plus(Duration.ofDays(7)));
        assertThat(code.get("image").asText()).isEqualTo("/admin/accounts/demo/campaigns/spring_poster/qrcode.png");

        HttpResponse<byte[]> image = image(code.get("image").asText());
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage picture = ImageIO.read(new ByteArrayInputStream(image.body()));
        assertThat(picture).as("a PNG the JDK can read").isNotNull();
        assertThat(picture.getWidth()).isEqualTo(picture.getHeight()).isGreaterThan(200);
        assertThat(picture.getRGB(0, 0) & 0xFFFFFF).as("a white quiet zone").isEqualTo(0xFFFFFF);
        assertThat(picture.getRGB(60, 60) & 0xFFFFFF).as("the centre of a finder square").isZero();

        // the permanent store poster: no expiry
        JsonNode store = json.readTree(operator("POST", "/admin/accounts/demo/campaigns/123123/qrcode").body());
        assertThat(store.get("expiresAt").isNull()).isTrue();
        assertThat(store.get("ticket").asText()).isNotEqualTo(code.get("ticket").asText());
        assertThat(image(store.get("image").asText()).body()).isNotEqualTo(image.body()); // drawn from its own ticket
    }

    @Test
    void theMenuIsPublishedToTheStandInAndComparedWithWhatItKeeps() throws Exception {
        JsonNode before = json.readTree(operator("GET", "/admin/accounts/demo/menu").body());
        assertThat(before.get("inWeChat").isNull()).isTrue();
        assertThat(before.get("same").asBoolean()).isFalse();
        assertThat(before.at("/configured/button/0/key").asText()).isEqualTo("V1001_TODAY_MUSIC");
        assertThat(before.at("/configured/button/0/reply").isMissingNode()).as("replies stay in the hub").isTrue();

        HttpResponse<String> published = operator("POST", "/admin/accounts/demo/menu/publish");
        assertThat(published.statusCode()).isEqualTo(200);
        assertThat(published.body()).isEqualTo("{\"errcode\":0,\"errmsg\":\"ok\"}");

        JsonNode after = json.readTree(operator("GET", "/admin/accounts/demo/menu").body());
        assertThat(after.get("inWeChat")).isEqualTo(after.get("configured"));
        assertThat(after.get("same").asBoolean()).isTrue();
        assertThat(after.at("/inWeChat/button/1/sub_button/0/key").asText()).isEqualTo("V2001_NEWS");
    }

    @Test
    void aFollowThroughACampaignGetsItsReplyCarriesItsNameAndIsCounted() throws Exception {
        String openId = "oEmbeddedCampaign" + System.nanoTime();
        long now = System.currentTimeMillis() / 1000;

        var follow = client.send(Fixtures.withEventKey(Fixtures.push("event-subscribe-scene", openId, now), "qrscene_spring_poster"));
        assertThat(follow.body()).contains("10 % off");
        var store = client.send(Fixtures.push("event-scan", openId, now + 1)); // scene 123123: the store poster campaign
        assertThat(store.body()).contains("Welcome back to the store.");
        var click = client.send(Fixtures.withEventKey(Fixtures.push("event-click", openId, now + 2), "V2001_NEWS"));
        assertThat(click.body()).as("a reply carried by a menu button").contains("<MsgType><![CDATA[news]]></MsgType>")
                .contains("Spring concert tickets");

        await().atMost(Duration.ofSeconds(10)).until(() -> client.get("/stand-in/crm/calls").body().contains("/bindings/demo/" + openId)
                && client.get("/stand-in/crm/calls").body().contains("/activities"));
        assertThat(client.get("/stand-in/crm/calls").body()).contains("Spring poster").contains("Store poster");

        JsonNode list = json.readTree(operator("GET", "/admin/accounts/demo/campaigns").body());
        JsonNode spring = campaign(list, "spring_poster");
        assertThat(spring.get("name").asText()).isEqualTo("Spring poster");
        assertThat(spring.get("kind").asText()).isEqualTo("temporary");
        assertThat(spring.get("totals").get("follows").asLong()).isPositive();
        JsonNode today = spring.get("last7Days").get(6);
        assertThat(today.get("day").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
        assertThat(today.get("follows").asLong()).isPositive();
        assertThat(campaign(list, "123123").get("totals").get("scans").asLong()).isPositive();
        HttpResponse<String> figures = operator("GET", "/admin/accounts/demo/campaigns/spring_poster/figures");
        assertThat(figures.statusCode()).as("the figures on H2: %s", figures.body()).isEqualTo(200);
        assertThat(json.readTree(figures.body()).at("/totals/follows").asLong()).isPositive();

        JsonNode accounts = json.readTree(operator("GET", "/admin/accounts").body());
        assertThat(accounts.toString()).isEqualTo("[{\"id\":\"demo\",\"campaigns\":2,\"menu\":true,\"callsApi\":true}]");
    }

    static JsonNode campaign(JsonNode list, String scene) {
        for (JsonNode campaign : list.get("campaigns")) {
            if (campaign.get("scene").asText().equals(scene)) {
                return campaign;
            }
        }
        throw new AssertionError("no campaign " + scene + " in " + list);
    }

    HttpResponse<String> operator(String method, String path) {
        return client.operator(method, path, ADMIN_TOKEN);
    }

    HttpResponse<byte[]> image(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("hub-outbox");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
