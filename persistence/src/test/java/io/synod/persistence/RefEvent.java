package io.synod.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * A test event (or snapshot) that carries a typed {@link ActorRef}, stored by its own {@link Serializer}.
 * The serializer takes the ActorSystem from Pekko's transport information, as Pekko's Jackson support
 * for ActorRefs does, so it fails with "currentTransportInformation was not set" when a plugin
 * serializes without it. It also notes the thread each event was serialized and deserialized on,
 * so a test can see which dispatcher did a plugin's work.
 */
record RefEvent(String label, ActorRef<String> ref) {

  RefEvent {
    if (label == null || label.isBlank() || label.contains("\n")) {
      throw new IllegalArgumentException("label must be one non-blank line, got '" + label + "'");
    }
    if (ref == null) {
      throw new IllegalArgumentException("ref of " + label + " must not be null");
    }
  }

  /** Binds {@link Serializer} to {@link RefEvent}; give it to {@link PluginTestKit#start(String, java.nio.file.Path, java.nio.file.Path, Config)}. */
  static Config serializationConfig() {
    return ConfigFactory.parseString("""
        pekko.actor.serializers.ref-event = "io.synod.persistence.RefEvent$Serializer"
        pekko.actor.serialization-bindings { "io.synod.persistence.RefEvent" = ref-event }
        """);
  }

  private static final Map<String, String> SERIALIZED_ON = new ConcurrentHashMap<>();
  private static final Map<String, String> DESERIALIZED_ON = new ConcurrentHashMap<>();

  /** The thread that last serialized the event labelled {@code label}, or null if none did. */
  static String serializedOn(String label) {
    return SERIALIZED_ON.get(label);
  }

  /** The thread that last deserialized the event labelled {@code label}, or null if none did. */
  static String deserializedOn(String label) {
    return DESERIALIZED_ON.get(label);
  }

  static final class Serializer extends SerializerWithStringManifest {

    private final ExtendedActorSystem system;

    Serializer(ExtendedActorSystem system) {
      this.system = system;
    }

    @Override
    public int identifier() {
      return 1717;
    }

    @Override
    public String manifest(Object o) {
      return "R";
    }

    @Override
    public byte[] toBinary(Object o) {
      RefEvent e = (RefEvent) o;
      // Throws IllegalStateException unless the caller runs this inside Serialization.withTransportInformation.
      Serialization.Information info = Serialization.getCurrentTransportInformation();
      String ref = ActorRefResolver.get(Adapter.toTyped(info.system())).toSerializationFormat(e.ref());
      SERIALIZED_ON.put(e.label(), Thread.currentThread().getName());
      return (e.label() + "\n" + ref).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) {
      if (!"R".equals(manifest)) {
        throw new IllegalArgumentException("unknown manifest '" + manifest + "' for RefEvent");
      }
      String[] parts = new String(bytes, StandardCharsets.UTF_8).split("\n", 2);
      ActorRef<String> ref = ActorRefResolver.get(Adapter.toTyped(system)).resolveActorRef(parts[1]);
      DESERIALIZED_ON.put(parts[0], Thread.currentThread().getName());
      return new RefEvent(parts[0], ref);
    }
  }
}
