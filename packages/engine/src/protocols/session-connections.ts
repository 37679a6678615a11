/**
 * A virtual user's open connections of one driver (TCP, UDP, WebSocket, MQTT), kept in the user's
 * session state under the driver's name and keyed by endpoint or url, so that steps reuse them.
 */
import type { UserSession } from './driver.js';

/** The user's connections of driver `name`, created empty on first use. */
export function connectionsOf<T>(session: UserSession, name: string): Map<string, T> {
  let connections = session.state.get(name) as Map<string, T> | undefined;
  if (connections === undefined) {
    connections = new Map();
    session.state.set(name, connections);
  }
  return connections;
}

/** Closes each of the user's connections of driver `name` with `close` and forgets them. */
export function closeConnections<T>(session: UserSession, name: string, close: (connection: T) => void): void {
  const connections = session.state.get(name) as Map<string, T> | undefined;
  if (connections === undefined) return;
  for (const connection of [...connections.values()]) close(connection);
  session.state.delete(name);
}
