package com.wechathub.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class LoadShedFilterTests {

    final AtomicInteger shed = new AtomicInteger();
    final LoadShedFilter filter = new LoadShedFilter(1, shed::incrementAndGet);

    @Test
    void refusesAtOnceWhileFullAndAdmitsAgainWhenAPushCompletes() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
            try {
                filter.doFilter(new MockHttpServletRequest("POST", "/wechat/demo"), new MockHttpServletResponse(), (req, res) -> {
                    inside.countDown();
                    try {
                        finish.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();

        MockHttpServletResponse refused = new MockHttpServletResponse();
        filter.doFilter(new MockHttpServletRequest("POST", "/wechat/demo"), refused, (req, res) -> { });
        assertThat(refused.getStatus()).isEqualTo(503);
        assertThat(refused.getContentAsString()).contains("retry");
        assertThat(shed).hasValue(1);

        finish.countDown();
        first.get(5, TimeUnit.SECONDS);
        MockHttpServletResponse admitted = new MockHttpServletResponse();
        filter.doFilter(new MockHttpServletRequest("POST", "/wechat/demo"), admitted, (req, res) -> { });
        assertThat(admitted.getStatus()).isEqualTo(200);
        assertThat(filter.available()).isEqualTo(1);
    }

    @Test
    void anAsyncPushHoldsItsPermitUntilItCompletes() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/wechat/demo");
        request.setAsyncSupported(true);
        MockHttpServletResponse response = new MockHttpServletResponse();
        filter.doFilter(request, response, (req, res) -> req.startAsync());

        assertThat(filter.available()).isZero();
        request.getAsyncContext().complete();
        assertThat(filter.available()).isEqualTo(1);
    }
}
