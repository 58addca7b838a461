package io.synod.actors.internal;

import static io.synod.actors.internal.WireSamples.assertSameContent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.synod.paxos.AcceptorRecord;
import io.synod.paxos.Message;
import java.io.NotSerializableException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pekko picks the serializer from our reference.conf alone (the test adds no serializer config),
 * with Java serialization off, and round-trips every sample through its serialization extension.
 */
class SynodSerializerPekkoTest {

  private static ActorSystem system;

  @BeforeAll
  static void start() {
    Config config = ConfigFactory.parseString("""
        pekko.actor.allow-java-serialization = off
        pekko.loglevel = WARNING
        pekko.stdout-loglevel = WARNING
        """).withFallback(ConfigFactory.load());
    system = ActorSystem.create("SynodSerializerPekkoTest", config);
  }

  @AfterAll
  static void stop() throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void javaSerializationIsOff() {
    assertFalse(system.settings().AllowJavaSerialization());
  }

  @Test
  void messagesAndRecordsAreBoundToTheSynodSerializer() throws NotSerializableException {
    Serialization serialization = SerializationExtension.get(system);
    for (Object sample : WireSamples.all()) {
      Serializer serializer = serialization.findSerializerFor(sample);
      assertInstanceOf(SynodSerializer.class, serializer, "serializer for " + sample.getClass().getName());
      assertEquals(SynodSerializer.IDENTIFIER, serializer.identifier());
    }
    assertInstanceOf(SynodSerializer.class, serialization.serializerFor(Message.Prepare.class));
    assertInstanceOf(SynodSerializer.class, serialization.serializerFor(AcceptorRecord.Promised.class));
  }

  /**
   * What may arrive on its own (a stamp, the ticket exchange, what the journal and snapshot store
   * hold) round-trips; a protocol message, envelope, batch or checkpoint transfer on its own is
   * refused: between nodes it travels only inside a stamp, which the node gateway checks.
   */
  @Test
  void everySampleRoundTripsThroughTheExtensionOrIsRefusedOutsideAStamp() {
    Serialization serialization = SerializationExtension.get(system);
    int refused = 0;
    for (Object sample : WireSamples.all()) {
      Serializer serializer = serialization.findSerializerFor(sample);
      byte[] bytes = serialization.serialize(sample).get();
      String manifest = Serializers.manifestFor(serializer, sample);
      scala.util.Try<Object> decoded = serialization.deserialize(bytes, serializer.identifier(), manifest);
      if (sample instanceof Message || sample instanceof NodeGateway.PeerTraffic) {
        assertTrue(decoded.isFailure(), sample + " decoded on its own");
        assertTrue(decoded.failed().get().getMessage().contains("only inside a Stamped message"),
            decoded.failed().get().getMessage());
        refused++;
      } else {
        assertSameContent(sample, decoded.get());
      }
    }
    assertTrue(refused > 20, "the protocol's samples were among them: " + refused);
  }
}
