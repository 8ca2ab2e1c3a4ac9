package com.wechathub.wechat.api;

import com.wechathub.support.RedisKeys;
import com.wechathub.support.IntegrationTier;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.accounts.AccountsChanged;
import com.wechathub.node.NodeIdentity;
import com.wechathub.support.TestSchema;
import com.wechathub.wechat.WechatProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The token rules of docs/wechat.md and §10.1a on the real Redis, without a whole hub: several "nodes"
 * (token holders sharing the store) asking at once make one token request; a token is the AppID's;
 * a refused token is replaced only if it is still the one kept (compare-and-set); normal mode
 * answering the refused token leads to one force_refresh per 30 s for the cluster, 20 a day; a
 * refused token request is remembered for every node; the lock is released only by its owner.
 */
@IntegrationTier
class AccessTokensTests {

    static final String PREFIX = TestSchema.tokenKeyPrefix() + "-unit";

    LettuceConnectionFactory factory;
    StringRedisTemplate redis;
    RedisTokenStore store;

    /**
     * WeChat's stable_token, slow enough for every caller to arrive while it is out: a new token
     * per request unless a test says otherwise (normal mode re-issuing one token, an errcode).
     */
    static final class FakeCalls extends WechatApiCalls {

        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger forced = new AtomicInteger();
        volatile String normalModeAnswers;   // the token normal mode keeps answering, if set
        volatile Integer errcode;            // WeChat refuses every request with it, if set

        FakeCalls() {
            super(null, new ObjectMapper(), new SimpleMeterRegistry());
        }

        @Override
        Map<String, Object> send(String account, String method, String path, Map<String, String> query, Object body) {
            int n = requests.incrementAndGet();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (errcode != null) {
                throw new WechatApiException(path, errcode, "WeChat refused it: errcode " + errcode + " (refused)");
            }
            boolean force = Boolean.TRUE.equals(((Map<?, ?>) body).get("force_refresh"));
            if (force) {
                forced.incrementAndGet();
            } else if (normalModeAnswers != null) {
                return Map.of("access_token", normalModeAnswers, "expires_in", 7000);
            }
            return Map.of("access_token", "TOKEN-" + n, "expires_in", 7200);
        }
    }

    @BeforeEach
    void connect() {
        factory = new LettuceConnectionFactory("127.0.0.1", 6379);
        factory.afterPropertiesSet();
        redis = new StringRedisTemplate(factory);
        redis.afterPropertiesSet();
        store = new RedisTokenStore(redis, PREFIX);
        clean();
    }

    @AfterEach
    void disconnect() {
        clean();
        factory.destroy();
    }

    void clean() {
        RedisKeys.delete(redis, PREFIX + ":*");
    }

    static WechatProperties account() {
        return account("secret");
    }

    /** Accounts "shop" and "outlet": two names for one AppID (wx1), so one token. */
    static WechatProperties account(String secret) {
        var shop = new WechatProperties.Account("t", "wx1", null, secret, "hi", null, List.of(), List.of(), List.of(), null, null, null, null);
        return new WechatProperties(Map.of("shop", shop, "outlet", shop), new WechatProperties.Api("http://unused", 1000, 1000, "http://unused"));
    }

    static TokenProperties properties(Duration lockWait) {
        return new TokenProperties("redis", PREFIX, Duration.ofSeconds(60), lockWait, Duration.ofMinutes(5), Duration.ofSeconds(5),
                Duration.ofSeconds(30), 20);
    }

    AccessTokens node(FakeCalls calls) {
        return node(calls, account(), new SimpleMeterRegistry());
    }

    AccessTokens node(FakeCalls calls, WechatProperties accounts, MeterRegistry registry) {
        return new AccessTokens(store, calls, accounts, properties(Duration.ofSeconds(10)), registry, Clock.systemUTC(), new NodeIdentity(null));
    }

    @Test
    void aChangedAppSecretDropsTheKeptTokenAndTheNextCallFetchesAnew() {
        FakeCalls calls = new FakeCalls();
        AccessTokens one = node(calls);
        String first = one.token("shop");
        assertThat(one.token("outlet")).isEqualTo(first);

        WechatProperties before = account("secret");
        WechatProperties after = account("new-secret");
        one.accountsChanged(new AccountsChanged(before.accounts(), after.accounts()));

        assertThat(store.get("wx1")).isEmpty();
        assertThat(one.token("shop")).isNotEqualTo(first);
        assertThat(calls.requests).hasValue(2);
    }

    @Test
    void anUnchangedAccountKeepsItsToken() {
        FakeCalls calls = new FakeCalls();
        AccessTokens one = node(calls);
        String first = one.token("shop");

        one.accountsChanged(new AccountsChanged(account("secret").accounts(), account("secret").accounts()));

        assertThat(one.token("shop")).isEqualTo(first);
        assertThat(calls.requests).hasValue(1);
    }

    @Test
    void manyCallersOnSeveralNodesMakeOneTokenRequest() throws Exception {
        FakeCalls calls = new FakeCalls();
        List<AccessTokens> nodes = List.of(node(calls), node(calls), node(calls));
        ExecutorService threads = Executors.newFixedThreadPool(24);
        try {
            List<Callable<String>> callers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                AccessTokens node = nodes.get(i % nodes.size());
                callers.add(() -> node.token("shop"));
            }
            List<String> tokens = new ArrayList<>();
            for (Future<String> token : threads.invokeAll(callers)) {
                tokens.add(token.get());
            }
            assertThat(calls.requests).hasValue(1);
            assertThat(tokens).containsOnly("TOKEN-1");
        } finally {
            threads.shutdownNow();
        }
        Duration left = store.remaining("wx1").orElseThrow();
        assertThat(left).isBetween(Duration.ofSeconds(7130), Duration.ofSeconds(7140)); // 7200 s less the 60 s margin
        assertThat(redis.hasKey(PREFIX + ":wx1:lock")).as("the lock is released").isFalse();
        assertThat(nodes.get(0).token("outlet")).as("the token is the AppID's, whatever the account's name").isEqualTo("TOKEN-1");
    }

    @Test
    void aRefusedTokenIsReplacedOnlyIfItIsStillTheOneKept() {
        FakeCalls calls = new FakeCalls();
        AccessTokens node = node(calls);
        String used = node.token("shop");                                   // TOKEN-1
        store.replace("wx1", used, "TOKEN-FROM-ANOTHER-NODE", Duration.ofMinutes(5));

        assertThat(node.replaceRefused("shop", used)).as("another node replaced it already").isEqualTo("TOKEN-FROM-ANOTHER-NODE");
        assertThat(calls.requests).hasValue(1);

        assertThat(node.replaceRefused("shop", "TOKEN-FROM-ANOTHER-NODE")).isEqualTo("TOKEN-2");
        assertThat(store.get("wx1")).hasValue("TOKEN-2");
        // compare-and-set: a node that fetched against an older token never overwrites the newer one
        assertThat(store.replace("wx1", "TOKEN-1", "STALE-TOKEN", Duration.ofMinutes(5))).isEqualTo("TOKEN-2");
        assertThat(store.get("wx1")).hasValue("TOKEN-2");
        assertThat(calls.forced).hasValue(0);
    }

    @Test
    void whenNormalModeAnswersTheRefusedTokenOneForceRefreshServesTheWholeCluster() throws Exception {
        FakeCalls calls = new FakeCalls();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<AccessTokens> nodes = List.of(node(calls, account(), registry), node(calls, account(), registry), node(calls, account(), registry));
        String refused = nodes.get(0).token("shop");                       // TOKEN-1
        calls.normalModeAnswers = refused;                                   // WeChat still thinks TOKEN-1 is valid

        ExecutorService threads = Executors.newFixedThreadPool(12);
        List<Object> outcomes = new ArrayList<>();
        try {
            List<Callable<Object>> callers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                AccessTokens node = nodes.get(i % 3);
                callers.add(() -> node.replaceRefused("shop", refused));
            }
            for (Future<Object> outcome : threads.invokeAll(callers)) {
                outcomes.add(outcome.get());
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(calls.forced).as("one force_refresh for the cluster").hasValue(1);
        assertThat(outcomes).as("every caller gets the new token").allSatisfy(token -> assertThat(token).isNotEqualTo(refused))
                .containsOnly(store.get("wx1").orElseThrow());

        // WeChat refuses the new token too, and normal mode answers it again: within 30 s no second force_refresh,
        // the call fails (its event is retried later), and no caller asks WeChat again meanwhile.
        String second = store.get("wx1").orElseThrow();
        calls.normalModeAnswers = second;
        int before = calls.requests.get();
        assertThatThrownBy(() -> nodes.get(1).replaceRefused("shop", second)).isInstanceOf(WechatApiException.class)
                .hasMessageContaining("retried later").satisfies(e -> assertThat(((WechatApiException) e).isTokenError()).isTrue());
        assertThatThrownBy(() -> nodes.get(2).replaceRefused("shop", second)).isInstanceOf(WechatApiException.class);
        assertThat(calls.requests.get() - before).as("one normal-mode request, then the refusal is known").isEqualTo(1);
        assertThat(calls.forced).hasValue(1);
        assertThat(registry.get("wechat.api.token.force.refresh").tag("outcome", "granted").counter().count()).isEqualTo(1);
        assertThat(registry.get("wechat.api.token.force.refresh").tag("outcome", "too_soon").counter().count()).isEqualTo(1);
    }

    @Test
    void noMoreThanTheDailyForceRefreshesAreGranted() {
        String day = "2026-12-05";
        for (int i = 0; i < 20; i++) {
            assertThat(store.tryForceRefresh("wx1", Duration.ofMillis(1), 20, day)).isEqualTo(TokenStore.ForceRefresh.GRANTED);
            await().atMost(Duration.ofSeconds(1)).until(() -> !Boolean.TRUE.equals(redis.hasKey(PREFIX + ":wx1:force")));
        }
        assertThat(store.tryForceRefresh("wx1", Duration.ofMillis(1), 20, day)).isEqualTo(TokenStore.ForceRefresh.DAILY_LIMIT);
        assertThat(store.tryForceRefresh("wx1", Duration.ofSeconds(30), 20, "2026-12-06")).isEqualTo(TokenStore.ForceRefresh.GRANTED);
        assertThat(store.tryForceRefresh("wx1", Duration.ofSeconds(30), 20, "2026-12-06")).isEqualTo(TokenStore.ForceRefresh.TOO_SOON);
    }

    @Test
    void aRefusedTokenRequestIsRememberedForEveryNodeUntilItsBackoffEnds() {
        FakeCalls calls = new FakeCalls();
        calls.errcode = 40125; // wrong AppSecret
        AccessTokens one = node(calls);
        AccessTokens two = node(calls);

        assertThatThrownBy(() -> one.token("shop")).isInstanceOf(WechatApiException.class).hasMessageContaining("40125");
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> two.token("outlet")).isInstanceOf(WechatApiException.class)
                    .hasMessageContaining("errcode 40125").hasMessageContaining("not asked again until")
                    .hasMessageNotContaining("secret=");
            assertThatThrownBy(() -> two.checkNotBackingOff("shop", WechatApi.USER_INFO)).isInstanceOf(WechatApiException.class);
        }
        assertThat(calls.requests).as("one request, whatever the callers and nodes").hasValue(1);
        assertThat(one.failing("shop")).isTrue();
        assertThat(two.describe("shop").get("refused").toString()).contains("errcode 40125").contains("AppSecret is invalid")
                .doesNotContain("secret\"");

        // The operator fixes the AppSecret: the backoff was for the old one, so the next call asks at once.
        calls.errcode = null;
        AccessTokens fixed = node(calls, account("the-right-secret"), new SimpleMeterRegistry());
        assertThat(fixed.token("shop")).isEqualTo("TOKEN-2");
        assertThat(fixed.failing("shop")).isFalse();
    }

    @Test
    void waitersFailWithTheLockHoldersRefusalInsteadOfWaitingOutTheLock() throws Exception {
        FakeCalls calls = new FakeCalls();
        calls.errcode = 40164; // the hub's IP is not on the allow-list
        List<AccessTokens> nodes = List.of(node(calls), node(calls));
        ExecutorService threads = Executors.newFixedThreadPool(6);
        long start = System.nanoTime();
        try {
            List<Callable<String>> callers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                AccessTokens node = nodes.get(i % 2);
                callers.add(() -> node.token("shop"));
            }
            for (Future<String> outcome : threads.invokeAll(callers)) {
                assertThatThrownBy(outcome::get).hasMessageContaining("40164");
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(calls.requests).hasValue(1);
    }

    @Test
    void theLockIsReleasedOnlyByItsOwnerAndExpires() throws Exception {
        store.get("shop"); // connected, so the lock's 2 s are not spent connecting
        assertThat(store.tryLock("shop", "node-a", Duration.ofSeconds(2))).isTrue();
        assertThat(store.tryLock("shop", "node-b", Duration.ofSeconds(2))).isFalse();
        store.unlock("shop", "node-b");
        assertThat(store.tryLock("shop", "node-b", Duration.ofSeconds(2))).as("node-b cannot free node-a's lock").isFalse();
        // node-a died holding it: it expires.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.tryLock("shop", "node-b", Duration.ofSeconds(5)));
        store.unlock("shop", "node-b");
        assertThat(redis.hasKey(PREFIX + ":shop:lock")).isFalse();
    }

    @Test
    void aCallerGivesUpWhenAnotherNodeHoldsTheLockTooLong() {
        store.tryLock("wx1", "a-stuck-node", Duration.ofSeconds(30));
        AccessTokens node = new AccessTokens(store, new FakeCalls(), account(), properties(Duration.ofMillis(300)),
                new SimpleMeterRegistry(), Clock.systemUTC(), new NodeIdentity(null));
        assertThatThrownBy(() -> node.token("shop")).isInstanceOf(WechatApiException.class)
                .hasMessageContaining("another node's token request did not finish");
    }

    @Test
    void theMemoryStoreKeepsTheSameRules() {
        MemoryTokenStore memory = new MemoryTokenStore(Clock.systemUTC());
        assertThat(memory.replace("shop", null, "A", Duration.ofMinutes(1))).isEqualTo("A");
        assertThat(memory.replace("shop", "B", "C", Duration.ofMinutes(1))).isEqualTo("A");
        assertThat(memory.replace("shop", "A", "C", Duration.ofMinutes(1))).isEqualTo("C");
        assertThat(memory.get("shop")).hasValue("C");
        assertThat(memory.tryForceRefresh("shop", Duration.ofSeconds(30), 20, "d")).isEqualTo(TokenStore.ForceRefresh.GRANTED);
        assertThat(memory.tryForceRefresh("shop", Duration.ofSeconds(30), 20, "d")).isEqualTo(TokenStore.ForceRefresh.TOO_SOON);
        memory.putNote("shop", "backoff", "x", Duration.ofMinutes(1));
        assertThat(memory.note("shop", "backoff")).hasValue("x");
        assertThat(memory.tryLock("shop", "x", Duration.ofSeconds(5))).isTrue();
        assertThat(memory.tryLock("shop", "y", Duration.ofSeconds(5))).isFalse();
        memory.unlock("shop", "y");
        assertThat(memory.tryLock("shop", "y", Duration.ofSeconds(5))).isFalse();
        memory.unlock("shop", "x");
        assertThat(memory.tryLock("shop", "y", Duration.ofSeconds(5))).isTrue();
    }
}
