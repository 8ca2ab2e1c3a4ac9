package bench.ceiling;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The least a Spring Boot web endpoint can do for a push: read it, answer "success". */
@SpringBootApplication
@RestController
public class CeilingApplication {

    public static void main(String[] args) {
        SpringApplication.run(CeilingApplication.class, args);
    }

    @PostMapping(path = "/wechat/demo", produces = "text/plain")
    public String push(@RequestBody(required = false) String body) {
        return "success";
    }
}
