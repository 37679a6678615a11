/**
 * Compiles cards (after transaction inlining, inline.ts) into plan nodes, collecting every problem
 * with its path. Request cards become packets prepared by their protocol driver with the
 * checkpoints, extractions and think times of the card; controllers recurse into their children
 * up to MAX_NESTING levels.
 */
import type { CardInfo, Contents, ContentInfo, Transaction } from '@perftest/model';
import { CardType, ContentType, ProtocolType } from '@perftest/model';
import type { CaseProblem, EngineOptions, PrepareContext } from '../protocols/driver.js';
import type { DriverSet } from '../protocols/registry.js';
import { driverNameFor } from '../protocols/registry.js';
import { compileCheckpoint } from './checkpoint.js';
import { boundedInteger } from './fields.js';
import {
  childContents,
  compileConditions,
  loopCount,
  rendezvousSettings,
  throughputRps,
  weightBranches,
} from './controllers.js';
import { compileDataInstruction } from './data-instruction.js';
import { compileExtractions } from './extraction.js';
import { expandCards, type PlacedCard } from './inline.js';
import type { PacketStep, PlanNode, RequestStep } from './plan.js';
import { compileTemplate } from './template.js';
import { WeightTable } from './weights.js';

/** Controllers may nest this deep (docs/case-format.md, "Cards"). */
export const MAX_NESTING = 10;
const MAX_THINK_MS = 3_600_000;

/** What card compilation shares across one case. */
export interface CardCompilerContext {
  readonly drivers: DriverSet;
  readonly options: EngineOptions;
  readonly problems: CaseProblem[];
  readonly transactions: ReadonlyMap<number, Transaction>;
  /** Prefix of coordination keys (rendezvous, throughput), unique per case. */
  readonly caseKey: string;
}

/** Compiles card lists of one case. */
export class CardCompiler {
  constructor(private readonly ctx: CardCompilerContext) {}

  private problem = (path: string, message: string): void => {
    this.ctx.problems.push({ path, message });
  };

  /**
   * Compiles `cards` found at `path` into nodes; every packet's CardInfo is appended to `cards`.
   * `depth` is the number of controllers around the list.
   */
  compileList(
    list: readonly (Contents | null | undefined)[] | null | undefined,
    path: string,
    depth: number,
    stack: readonly number[],
    cards: CardInfo[],
  ): PlanNode[] {
    const nodes: PlanNode[] = [];
    for (const placed of expandCards(list, path, this.ctx, stack)) {
      const node = this.compileCard(placed, depth, cards);
      if (node !== undefined) nodes.push(node);
    }
    return nodes;
  }

  private compileCard(placed: PlacedCard, depth: number, cards: CardInfo[]): PlanNode | undefined {
    const { card, path, stack } = placed;
    const type = card.data_type ?? CardType.Request;
    const isController =
      type === CardType.Loop || type === CardType.Condition || type === CardType.VuPercentage || type === CardType.Throughput;
    if (isController && depth + 1 > MAX_NESTING) {
      this.problem(path, `controllers nest deeper than ${MAX_NESTING} levels`);
      return undefined;
    }
    const children = (contents: Contents[] | undefined, childPath: string) =>
      contents === undefined ? undefined : this.compileList(contents, childPath, depth + 1, stack, cards);
    switch (type) {
      case CardType.Request:
        return this.compileRequestCard(card, path, cards, stack);
      case CardType.DataInstruction: {
        const assignments = compileDataInstruction(card.data, `${path}.data`, this.problem);
        return assignments && { kind: 'data', assignments };
      }
      case CardType.Loop: {
        const count = loopCount(card.data, `${path}.data`, this.problem);
        const body = children(childContents(card.data, `${path}.data`, this.problem), `${path}.data.contents`);
        return count === undefined || body === undefined ? undefined : { kind: 'loop', count, body };
      }
      case CardType.Condition: {
        const compiled = compileConditions(card.conditions, `${path}.conditions`, this.problem);
        const body = children(childContents(card.data, `${path}.data`, this.problem), `${path}.data.contents`);
        return compiled && body && { kind: 'condition', conditions: compiled.conditions, any: compiled.any, body };
      }
      case CardType.VuPercentage: {
        const settings = weightBranches(card.data, `${path}.data`, this.problem);
        if (settings === undefined) return undefined;
        const branches = settings.branches.map((b) => children(b.contents, b.path) ?? []);
        return { kind: 'weights', random: settings.random, table: new WeightTable(settings.weights), branches };
      }
      case CardType.Throughput: {
        const rps = throughputRps(card.data, `${path}.data`, this.problem);
        const body = children(childContents(card.data, `${path}.data`, this.problem), `${path}.data.contents`);
        const key = `throughput:${this.ctx.caseKey}:${path}`;
        return rps === undefined || body === undefined ? undefined : { kind: 'throughput', key, rps, body };
      }
      case CardType.Rendezvous: {
        const settings = rendezvousSettings(card.data, `${path}.data`, this.problem);
        const key = `rendezvous:${this.ctx.caseKey}:${path}`;
        return settings && { kind: 'rendezvous', key, users: settings.users, timeoutMs: settings.timeoutMs };
      }
      case CardType.Plugin:
        this.problem(`${path}.data_type`, 'plug-in requests (data_type 302) are not supported by this engine');
        return undefined;
      default:
        this.problem(`${path}.data_type`, `unknown data_type ${JSON.stringify(card.data_type)}`);
        return undefined;
    }
  }

  private compileRequestCard(
    card: Contents,
    path: string,
    cards: CardInfo[],
    stack: readonly number[],
  ): PlanNode | undefined {
    const items = card.content;
    if (!Array.isArray(items) || items.length === 0) {
      this.problem(`${path}.content`, 'a request card needs a non-empty "content" array');
      return undefined;
    }
    const steps: RequestStep[] = [];
    let packet: PacketStep | undefined;
    let sawPacket = false;
    /** Checkpoints and extractions need a packet before them in the card (one that failed counts). */
    const follows = (itemPath: string): boolean => {
      if (!sawPacket) this.problem(itemPath, 'a checkpoint or extraction must follow a packet in the same card');
      return packet !== undefined;
    };
    items.forEach((item, j) => {
      const itemPath = `${path}.content[${j}]`;
      const content = item?.content;
      switch (item?.content_type) {
        case ContentType.ThinkTime: {
          const c = (content ?? {}) as Record<string, unknown>;
          const ms = boundedInteger(c.think_time ?? c.t, -1, 0, MAX_THINK_MS, (m) =>
            this.problem(`${itemPath}.content.think_time`, m),
          );
          if (ms === -1) this.problem(`${itemPath}.content.think_time`, 'think time needs "think_time" (ms)');
          else if (ms !== undefined) steps.push({ kind: 'think', ms });
          return;
        }
        case ContentType.Packet: {
          sawPacket = true;
          packet = this.compilePacket(content as ContentInfo, itemPath, card, stack);
          if (packet !== undefined) {
            steps.push(packet);
            cards.push(packet.card);
          }
          return;
        }
        case ContentType.Checkpoint: {
          if (!follows(itemPath)) return;
          const checkpoint = compileCheckpoint(content, `${itemPath}.content`, this.problem);
          if (checkpoint === undefined || packet === undefined) return;
          packet.checkpoints.push(checkpoint);
          packet.retryTimes = Math.max(packet.retryTimes, checkpoint.retryTimes);
          packet.retryIntervalMs = Math.max(packet.retryIntervalMs, checkpoint.retryIntervalMs);
          packet.needsResponse ||= checkpoint.needsResponse;
          return;
        }
        case ContentType.Extraction: {
          if (!follows(itemPath)) return;
          const extractions = compileExtractions(content, `${itemPath}.content`, this.problem);
          if (extractions === undefined || packet === undefined) return;
          packet.extractions.push(...extractions);
          packet.needsResponse ||= extractions.some((x) => x.source !== 'url');
          return;
        }
        default:
          this.problem(`${itemPath}.content_type`, `unknown content_type ${JSON.stringify(item?.content_type)}`);
      }
    });
    return { kind: 'request', steps };
  }

  private compilePacket(
    packet: ContentInfo | null | undefined,
    path: string,
    card: Contents,
    stack: readonly number[],
  ): PacketStep | undefined {
    if (packet === null || typeof packet !== 'object') {
      this.problem(`${path}.content`, 'a packet needs a "content" object');
      return undefined;
    }
    const problems = this.ctx.problems;
    const protocol = packet.protocol_type ?? ProtocolType.Http;
    if (driverNameFor(packet) === undefined) {
      this.problem(`${path}.content.protocol_type`, `unknown protocol_type ${JSON.stringify(packet.protocol_type)}`);
      return undefined;
    }
    const driver = this.ctx.drivers.for(packet);
    if (driver === undefined) {
      this.problem(`${path}.content.protocol_type`, `protocol_type ${protocol} has no driver in this engine`);
      return undefined;
    }
    const prepareContext: PrepareContext = {
      path,
      problems,
      options: this.ctx.options,
      template: (text) => compileTemplate(text, (message) => problems.push({ path: `${path}.content`, message })),
    };
    const request = driver.prepare(packet, prepareContext);
    if (request === undefined) return undefined;
    const transactionName = stack.length > 0 ? this.ctx.transactions.get(stack[stack.length - 1])?.name : undefined;
    const info: CardInfo = {
      key: path,
      name: request.name || packet.name || card.selected_temp_name || transactionName || `${request.method} ${request.url}`,
      method: request.method,
      url: request.url,
      protocolType: protocol,
    };
    return {
      kind: 'packet',
      card: info,
      request,
      checkpoints: [],
      extractions: [],
      retryTimes: 0,
      retryIntervalMs: 0,
      needsResponse: false,
    };
  }
}
