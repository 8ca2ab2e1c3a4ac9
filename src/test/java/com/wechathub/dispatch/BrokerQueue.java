package com.wechathub.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/** A private queue bound to wechat.events on the real RabbitMQ, as a downstream consumer would. */
public final class BrokerQueue implements AutoCloseable {

    private final RabbitAdmin admin;
    private final RabbitTemplate rabbit;
    private final Queue queue = new AnonymousQueue();
    private final List<Message> received = new ArrayList<>();

    public BrokerQueue(RabbitTemplate rabbit, String bindingKey) {
        this.rabbit = rabbit;
        this.admin = new RabbitAdmin(rabbit.getConnectionFactory());
        admin.declareQueue(queue);
        Binding binding = BindingBuilder.bind(queue).to(new TopicExchange("wechat.events")).with(bindingKey);
        admin.declareBinding(binding);
    }

    /** Messages whose body mentions the follower, waiting until there are at least {@code count}. */
    public List<Message> await(String openId, int count) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            receiveAll();
            return matching(openId).size() >= count;
        });
        return take(openId);
    }

    /**
     * Everything delivered for the follower so far and not yet taken. Publishing is confirmed
     * before an event is marked done, so once it is done its messages are all in the queue.
     */
    public List<Message> drain(String openId) {
        receiveAll();
        return take(openId);
    }

    private void receiveAll() {
        Message message = rabbit.receive(queue.getName());
        while (message != null) {
            received.add(message);
            message = rabbit.receive(queue.getName());
        }
    }

    private List<Message> matching(String openId) {
        return received.stream().filter(m -> new String(m.getBody()).contains("\"" + openId + "\"")).toList();
    }

    private List<Message> take(String openId) {
        List<Message> taken = matching(openId);
        received.removeAll(taken);
        return taken;
    }

    @Override
    public void close() {
        admin.deleteQueue(queue.getName());
    }
}
