package io.synod.actors.internal;

import io.synod.actors.GroupCommand;
import io.synod.actors.GroupProtocol;
import io.synod.actors.GroupStatus;
import io.synod.paxos.GroupConfig;
import io.synod.paxos.ReadOutcome;
import org.apache.pekko.pattern.StatusReply;

/**
 * Answers a request of {@link GroupProtocol} that a group's coordinator will not serve (it cannot
 * start, it stops, too many requests wait while it starts, or its roles are down: {@link
 * RolesDown}, which answers a status and the membership itself), each with its own reply saying why,
 * so that no asker waits for its timeout. Anything else (the coordinator's own messages, a
 * leadership watch) is left unanswered.
 */
final class RequestRefusal {

  private RequestRefusal() {}

  static void refuse(GroupCommand m, GroupConfig config, String reason) {
    if (m instanceof GroupProtocol.Propose p) {
      p.replyTo().tell(new GroupProtocol.Stopped(reason));
    } else if (m instanceof GroupProtocol.Read r) {
      r.replyTo().tell(new GroupProtocol.Stopped(reason));
    } else if (m instanceof GroupProtocol.ReadLocal r) {
      r.replyTo().tell(new ReadOutcome(0, false, -1, null, -1));
    } else if (m instanceof GroupProtocol.Leader l) {
      l.replyTo().tell(-1);
    } else if (m instanceof GroupProtocol.AppliedThrough a) {
      a.replyTo().tell(-1L);
    } else if (m instanceof GroupProtocol.Status s) {
      s.replyTo().tell(new GroupStatus(config.group(), config.self(), -1, -1, -1, -1, 0, "", 0, reason, -1, reason));
    } else if (m instanceof GroupProtocol.Digest d) {
      d.replyTo().tell(StatusReply.error(reason));
    } else if (m instanceof GroupProtocol.GetMembership g) {
      g.replyTo().tell(config.initialMembership());
    } else if (m instanceof GroupProtocol.TransferLeadership t) {
      t.replyTo().tell(new GroupProtocol.TransferUnavailable(reason));
    } else if (m instanceof GroupProtocol.ChangeMembership c) {
      c.replyTo().tell(new GroupProtocol.MembershipRefused(reason, GroupProtocol.RefusalKind.UNAVAILABLE));
    } else if (m instanceof GroupProtocol.Resume r) {
      r.replyTo().tell(new GroupProtocol.ResumeReply(false, reason));
    }
  }
}
