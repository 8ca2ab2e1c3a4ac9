package com.wechathub.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.wechathub.support.Fixtures;
import com.wechathub.support.HubIntegrationTest;
import com.wechathub.support.PushClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Accounts change without a restart (docs/operating.md, "Live edits"): two hubs started with the same extra configuration
 * file, as two nodes reading one ConfigMap, follow an edit of it within 10 s; a broken edit keeps
 * the running accounts and says where it is broken.
 */
class LiveAccountsTests extends HubIntegrationTest {

    static final String AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlk0";
    static final String NEW_AES_KEY = "0123456789ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvut";
    static Path folder;
    static ConfigurableApplicationContext one;
    static ConfigurableApplicationContext two;

    @Autowired Environment suite;
    Path file;

    @BeforeEach
    void twoHubsOnOneFile() throws IOException {
        if (one == null) {
            folder = Files.createTempDirectory("live-accounts");
            file = folder.resolve("accounts.yaml");
            write(accounts("shop", "shop-token-1"));
            String location = "--spring.config.additional-location=file:" + file;
            one = startSecondHub(suite, "live-accounts-1", location, "--hub.accounts.reload.poll-interval=200ms", "--spring.datasource.hikari.maximum-pool-size=3", "--hub.admin.token=live-admin-token");
            two = startSecondHub(suite, "live-accounts-2", location, "--hub.accounts.reload.poll-interval=200ms", "--spring.datasource.hikari.maximum-pool-size=3",
                    "--wechat.accounts.shop.welcome=From the command line");
        }
        file = folder.resolve("accounts.yaml");
        write(accounts("shop", "shop-token-1"));
        awaitAccepted(one, "shop", "shop-token-1");
        awaitAccepted(two, "shop", "shop-token-1");
    }

    @AfterEach
    void backToTheStart() throws IOException {
        write(accounts("shop", "shop-token-1"));
    }

    @AfterAll
    static void stop() throws IOException {
        if (one != null) {
            one.close();
            two.close();
        }
        try (var files = Files.list(folder)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(folder);
    }

    @Test
    void anAddedAccountIsServedByBothNodesWithoutARestart() throws IOException {
        assertThat(push(one, "kiosk", "kiosk-token").statusCode()).isEqualTo(404);

        write(accounts("shop", "shop-token-1") + account("kiosk", "kiosk-token"));

        awaitAccepted(one, "kiosk", "kiosk-token");
        awaitAccepted(two, "kiosk", "kiosk-token");
        assertThat(push(one, "shop", "shop-token-1").statusCode()).isEqualTo(200);
    }

    @Test
    void aChangedTokenIsTakenAndTheOldOneRefusedWithinTenSeconds() throws IOException {
        replace(accounts("shop", "shop-token-2")); // saved as editors and ConfigMaps do: a rename

        awaitAccepted(one, "shop", "shop-token-2");
        awaitAccepted(two, "shop", "shop-token-2");
        assertThat(push(one, "shop", "shop-token-1").statusCode()).isEqualTo(403);
        assertThat(push(two, "shop", "shop-token-1").statusCode()).isEqualTo(403);
    }

    @Test
    void aValueFromTheCommandLineKeepsItsPrecedenceOverAnEditedFile() throws IOException {
        write(accounts("shop", "shop-token-1").replace("Welcome to the shop", "Changed in the file"));

        await().atMost(Duration.ofSeconds(10)).until(() -> welcome(one).contains("Changed in the file"));
        assertThat(welcome(two)).contains("From the command line");
    }

    private String welcome(ConfigurableApplicationContext hub) {
        var client = new PushClient(port(hub), "shop", "shop-token-1", "wx00000000000000live", AES_KEY);
        return client.send(Fixtures.push("event-subscribe", openId, createTime++)).body();
    }

    @Test
    void aRemovedAccountIsNoLongerServed() throws IOException {
        write(accounts("shop", "shop-token-1") + account("kiosk", "kiosk-token"));
        awaitAccepted(one, "kiosk", "kiosk-token");

        write(accounts("shop", "shop-token-1"));

        await().atMost(Duration.ofSeconds(10)).until(() -> push(one, "kiosk", "kiosk-token").statusCode() == 404);
    }

    @Test
    void anAesKeyOfFortyTwoCharactersIsRejectedAndTheRunningAccountsStay() throws IOException {
        write(accounts("shop", "shop-token-2").replace(AES_KEY, AES_KEY.substring(1)));

        awaitRejected(one, "encoding-aes-key");
        String health = health(one);
        assertThat(health).contains("accounts.yaml:");
        assertThat(push(one, "shop", "shop-token-1").statusCode()).isEqualTo(200);
        assertThat(push(one, "shop", "shop-token-2").statusCode()).isEqualTo(403);
        assertThat(new PushClient(managementPort(one)).get("/actuator/prometheus").body())
                .containsPattern("hub_accounts_reloads_total\\{outcome=\"rejected\"[^}]*} [1-9]");
        // the console's configuration view reads the same
        assertThat(new PushClient(port(one)).operator("GET", "/admin/routes", "live-admin-token").body())
                .contains("\"accounts\":{\"lastReload\":\"rejected\"").contains("encoding-aes-key");
    }

    @Test
    void yamlThatDoesNotParseIsRejectedNamingTheLine() throws IOException {
        write(accounts("shop", "shop-token-2") + "  broken: [unclosed\n");

        awaitRejected(one, "accounts.yaml");
        assertThat(health(one)).containsPattern("line \\d+");
        assertThat(push(one, "shop", "shop-token-1").statusCode()).isEqualTo(200);
    }

    @Test
    void aDuplicateAccountIsRejected() throws IOException {
        write(accounts("shop", "shop-token-2") + account("shop", "shop-token-3"));

        awaitRejected(one, "shop");
        assertThat(push(two, "shop", "shop-token-1").statusCode()).isEqualTo(200);
    }

    @Test
    void anEditBackToWhatRunsClearsTheRejection() throws IOException {
        write(accounts("shop", "shop-token-2") + "  broken: [unclosed\n");
        awaitRejected(one, "accounts.yaml");

        write(accounts("shop", "shop-token-1"));

        await().atMost(Duration.ofSeconds(10)).until(() -> health(one).contains("\"lastReload\":\"reverted\""));
    }

    /**
     * A rotation as the README gives it: the old values move to previous-*, the file is saved, then
     * WeChat's console changes (here: the sender switches once the hub takes the new key). Pushes
     * run at 50/s throughout; none is refused or lost, and each reply opens with the key its push used.
     */
    @Test
    void rotatingTokenAndAesKeyRefusesNoPushOnTheWay() throws Exception {
        var before = new PushClient(port(one), "shop", "shop-token-1", "wx00000000000000live", AES_KEY);
        var after = new PushClient(port(one), "shop", "shop-token-2", "wx00000000000000live", NEW_AES_KEY);
        var current = new java.util.concurrent.atomic.AtomicReference<>(before);
        var answers = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        var sent = new java.util.concurrent.atomic.AtomicInteger();
        var pushes = java.util.concurrent.Executors.newScheduledThreadPool(4);
        long start = createTime;
        String follower = openId + "r";
        pushes.scheduleAtFixedRate(() -> {
            PushClient client = current.get();
            String push = Fixtures.push("event-subscribe", follower, start + sent.incrementAndGet());
            var answer = client.sendEncrypted(push);
            answers.add(answer.statusCode() == 200
                    ? (client.decrypt(answer.body()).contains("Welcome to the shop") ? "ok" : "unreadable reply " + answer.body())
                    : answer.statusCode() + " " + answer.body());
        }, 0, 20, java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> answers.size() >= 50);
            write(accounts("shop", "shop-token-2").replace(AES_KEY, NEW_AES_KEY)
                    + "      previous-token: shop-token-1\n      previous-encoding-aes-key: " + AES_KEY + "\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> after.sendEncrypted(
                    Fixtures.push("event-location", openId + "x", createTime)).statusCode() == 200);
            current.set(after); // WeChat's console now signs and encrypts with the new values
            int switched = answers.size();
            await().atMost(Duration.ofSeconds(5)).until(() -> answers.size() >= switched + 50);
        } finally {
            pushes.shutdown();
            pushes.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }

        assertThat(answers).hasSize(sent.get()).containsOnly("ok");
        assertThat(state.eventCount(follower)).as("every answered push recorded").isEqualTo(sent.get());
        assertThat(new PushClient(managementPort(one)).get("/actuator/prometheus").body())
                .containsPattern("wechat_pushes_previous_credentials_total\\{account=\"shop\"[^}]*} [1-9]");

        // The rotation is over: previous-* removed, the old values are refused.
        write(accounts("shop", "shop-token-2").replace(AES_KEY, NEW_AES_KEY));
        await().atMost(Duration.ofSeconds(10)).until(() -> before.sendEncrypted(
                Fixtures.push("event-location", openId + "y", createTime)).statusCode() == 403);
    }

    private void awaitRejected(ConfigurableApplicationContext hub, String mentioning) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String health = health(hub);
            return health.contains("\"lastReload\":\"rejected\"") && health.contains(mentioning);
        });
    }

    private static String health(ConfigurableApplicationContext hub) {
        return new PushClient(managementPort(hub)).get("/actuator/health/accounts").body();
    }

    private static int managementPort(ConfigurableApplicationContext hub) {
        return Integer.parseInt(hub.getEnvironment().getProperty("local.management.port"));
    }

    private void awaitAccepted(ConfigurableApplicationContext hub, String account, String token) {
        await().atMost(Duration.ofSeconds(10)).until(() -> push(hub, account, token).statusCode() == 200);
    }

    private java.net.http.HttpResponse<String> push(ConfigurableApplicationContext hub, String account, String token) {
        var client = new PushClient(port(hub), account, token, "wx00000000000000live", AES_KEY);
        return client.send(Fixtures.push("event-location", openId, createTime++));
    }

    private static String accounts(String id, String token) {
        return "wechat:\n  accounts:\n" + account(id, token);
    }

    private static String account(String id, String token) {
        return "    " + id + ":\n      token: " + token + "\n      app-id: wx00000000000000live\n"
                + "      encoding-aes-key: " + AES_KEY + "\n      welcome: Welcome to the shop\n";
    }

    private void write(String yaml) throws IOException {
        Files.writeString(file, yaml);
    }

    private void replace(String yaml) throws IOException {
        Path next = folder.resolve("accounts.yaml.next");
        Files.writeString(next, yaml);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
