package com.wechathub.wechat.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.wechathub.support.TestSchema;
import com.wechathub.wechat.WechatProperties;
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
 * The token rules of SPEC §10.1 on the real Redis, without a whole hub: several "nodes" (token
 * holders sharing the store) asking at once make one token request; a token is dropped only if
 * it is still the one a call used; the lock is released only by its owner.
 */
class AccessTokensTests {

    static final String PREFIX = TestSchema.tokenKeyPrefix() + "-unit";

    LettuceConnectionFactory factory;
    StringRedisTemplate redis;
    RedisTokenStore store;

    /** WeChat's stable_token, slow enough for every caller to arrive while it is out. */
    static final class FakeCalls extends WechatApiCalls {

        final AtomicInteger requests = new AtomicInteger();

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
        var keys = redis.keys(PREFIX + ":*");
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
    }

    static WechatProperties account() {
        var account = new WechatProperties.Account("t", "wx1", null, "secret", "hi", null, List.of(), List.of(), List.of(), null, null);
        return new WechatProperties(Map.of("shop", account), new WechatProperties.Api("http://unused", 1000, 1000, "http://unused"));
    }

    AccessTokens node(FakeCalls calls) {
        return new AccessTokens(store, calls, account(),
                new TokenProperties("redis", PREFIX, Duration.ofSeconds(60), Duration.ofSeconds(10)),
                new SimpleMeterRegistry(), Clock.systemUTC());
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
        Duration left = store.remaining("shop").orElseThrow();
        assertThat(left).isBetween(Duration.ofSeconds(7130), Duration.ofSeconds(7140)); // 7200 s less the 60 s margin
        assertThat(redis.hasKey(PREFIX + ":shop:lock")).as("the lock is released").isFalse();
    }

    @Test
    void aTokenIsDroppedOnlyIfItIsStillTheOneTheCallUsed() {
        FakeCalls calls = new FakeCalls();
        AccessTokens node = node(calls);
        String used = node.token("shop");           // TOKEN-1
        store.put("shop", "TOKEN-FROM-ANOTHER-NODE", Duration.ofMinutes(5));

        node.invalidate("shop", used);               // too late: another node replaced it already
        assertThat(store.get("shop")).hasValue("TOKEN-FROM-ANOTHER-NODE");

        node.invalidate("shop", "TOKEN-FROM-ANOTHER-NODE");
        assertThat(store.get("shop")).isEmpty();
        assertThat(node.token("shop")).isEqualTo("TOKEN-2");
        assertThat(calls.requests).hasValue(2);
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
        store.tryLock("shop", "a-stuck-node", Duration.ofSeconds(30));
        AccessTokens node = new AccessTokens(store, new FakeCalls(), account(),
                new TokenProperties("redis", PREFIX, Duration.ofSeconds(60), Duration.ofMillis(300)),
                new SimpleMeterRegistry(), Clock.systemUTC());
        assertThatThrownBy(() -> node.token("shop")).isInstanceOf(WechatApiException.class)
                .hasMessageContaining("another node's token request did not finish");
    }

    @Test
    void theMemoryStoreKeepsTheSameRules() {
        MemoryTokenStore memory = new MemoryTokenStore(Clock.systemUTC());
        memory.put("shop", "A", Duration.ofMinutes(1));
        memory.deleteIfEquals("shop", "B");
        assertThat(memory.get("shop")).hasValue("A");
        memory.deleteIfEquals("shop", "A");
        assertThat(memory.get("shop")).isEmpty();
        assertThat(memory.tryLock("shop", "x", Duration.ofSeconds(5))).isTrue();
        assertThat(memory.tryLock("shop", "y", Duration.ofSeconds(5))).isFalse();
        memory.unlock("shop", "y");
        assertThat(memory.tryLock("shop", "y", Duration.ofSeconds(5))).isFalse();
        memory.unlock("shop", "x");
        assertThat(memory.tryLock("shop", "y", Duration.ofSeconds(5))).isTrue();
    }
}
