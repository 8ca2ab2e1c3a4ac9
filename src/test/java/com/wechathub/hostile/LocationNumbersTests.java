package com.wechathub.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.wechathub.support.Fixtures;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A LOCATION's numbers are coordinates or the push is refused 400 at the door, naming the field
 * (docs/security.md): NaN, an infinity or a latitude of 1e400 never reaches the follower row or the
 * broker. The edges of the ranges are taken.
 */
class LocationNumbersTests extends HostileHubTest {

    @ParameterizedTest
    @CsvSource({
            "Latitude, NaN, Latitude must be a number from -90 to 90",
            "Latitude, 1e400, Latitude must be a number from -90 to 90",
            "Latitude, 90.000001, Latitude must be a number from -90 to 90",
            "Longitude, -Infinity, Longitude must be a number from -180 to 180",
            "Longitude, 180.5, Longitude must be a number from -180 to 180",
            "Precision, -1, Precision must be a number of at least 0",
            "Precision, Infinity, Precision must be a number of at least 0"})
    void aNumberThatIsNoCoordinateIsRefused(String field, String value, String reason) {
        HttpResponse<String> response = client.send(location(field, value));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo(reason);
        assertThat(state.eventCount(openId)).isZero();
    }

    @ParameterizedTest
    @CsvSource({"Latitude, -90", "Latitude, 90", "Longitude, -180", "Longitude, 180", "Precision, 0"})
    void theEdgesAreTaken(String field, String value) {
        assertThat(client.send(location(field, value)).statusCode()).isEqualTo(200);
        assertThat(state.eventCount(openId)).isEqualTo(1);
    }

    String location(String field, String value) {
        return Fixtures.push("event-location", openId, createTime)
                .replaceFirst("<" + field + ">[^<]*</" + field + ">", "<" + field + ">" + value + "</" + field + ">");
    }
}
