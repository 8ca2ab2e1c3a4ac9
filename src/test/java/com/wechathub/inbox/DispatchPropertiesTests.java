package com.wechathub.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DispatchPropertiesTests {

    final DispatchProperties properties = new DispatchProperties(Duration.ofMillis(100), 50, 16, 8, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(2),
            Duration.ofSeconds(10), null, Duration.ofDays(1), true);

    @Test
    void backOffDoublesUpToTheCap() {
        assertThat(properties.backoffAfter(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(properties.backoffAfter(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.backoffAfter(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(properties.backoffAfter(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.backoffAfter(500)).isEqualTo(Duration.ofSeconds(30));
    }
}
