import * as tf from '@tensorflow/tfjs';

export interface AdamConfig {
  learningRate: number;
  /** The rate rises linearly over this many steps, lr · step / warmupSteps (default 0: none). */
  warmupSteps?: number;
  beta1?: number;
  beta2?: number;
  /** Keras's default; also what tf.train.adam uses on float32 backends. */
  epsilon?: number;
}

/** Adam's state by variable key (the weight's original name), ready for a checkpoint. */
export interface AdamState {
  step: number;
  firstMoment: Map<string, tf.Tensor>;
  secondMoment: Map<string, tf.Tensor>;
}

/**
 * Adam (Kingma & Ba) with the same update as tf.train.adam, written out so that its whole state
 * round-trips through a checkpoint bit for bit: tf.train.adam keeps running products β^t in float32
 * variables but restores them as pow(β, t), so a resumed run drifts in the last bits, and it matches
 * saved moments to variables by position. Here the bias corrections come from the step count (in
 * double precision) and moments are keyed by weight name.
 */
export class Adam {
  readonly learningRate: number;
  readonly #warmupSteps: number;
  readonly #beta1: number;
  readonly #beta2: number;
  readonly #epsilon: number;
  #step = 0;
  readonly #m = new Map<string, tf.Variable>();
  readonly #v = new Map<string, tf.Variable>();

  constructor(config: AdamConfig) {
    if (!(config.learningRate > 0)) throw new RangeError(`learning rate must be > 0, got ${config.learningRate}`);
    this.learningRate = config.learningRate;
    this.#warmupSteps = config.warmupSteps ?? 0;
    if (!Number.isInteger(this.#warmupSteps) || this.#warmupSteps < 0)
      throw new RangeError(`warmup steps must be an integer ≥ 0, got ${config.warmupSteps}`);
    this.#beta1 = config.beta1 ?? 0.9;
    this.#beta2 = config.beta2 ?? 0.999;
    this.#epsilon = config.epsilon ?? 1e-7;
  }

  get step(): number {
    return this.#step;
  }

  /** One update of every variable that has a gradient; `gradients` are keyed like `variables`. */
  apply(variables: ReadonlyMap<string, tf.Variable>, gradients: ReadonlyMap<string, tf.Tensor>): void {
    this.#step++;
    const correction1 = 1 - this.#beta1 ** this.#step;
    const correction2 = 1 - this.#beta2 ** this.#step;
    // A function of the step count alone, so a resumed run uses exactly the same rates.
    const rate =
      this.#warmupSteps > 0
        ? (this.learningRate * Math.min(this.#step, this.#warmupSteps)) / this.#warmupSteps
        : this.learningRate;
    tf.tidy(() => {
      for (const [key, gradient] of gradients) {
        const variable = variables.get(key);
        if (!variable) throw new Error(`gradient for unknown variable ${key}`);
        const m = this.#moment(this.#m, key, variable);
        const v = this.#moment(this.#v, key, variable);
        const newM = tf.add(tf.mul(m, this.#beta1), tf.mul(gradient, 1 - this.#beta1));
        const newV = tf.add(tf.mul(v, this.#beta2), tf.mul(tf.square(gradient), 1 - this.#beta2));
        m.assign(newM);
        v.assign(newV);
        const update = tf.div(tf.div(newM, correction1), tf.add(tf.sqrt(tf.div(newV, correction2)), this.#epsilon));
        variable.assign(tf.sub(variable, tf.mul(update, rate)));
      }
    });
  }

  /** The live state (not copies): read it before the next `apply`. */
  state(): AdamState {
    return { step: this.#step, firstMoment: new Map(this.#m), secondMoment: new Map(this.#v) };
  }

  /** Replaces the state with copies of `state`'s tensors. */
  restore(state: AdamState): void {
    this.dispose();
    this.#step = state.step;
    for (const [key, t] of state.firstMoment) this.#m.set(key, tf.variable(t, false));
    for (const [key, t] of state.secondMoment) this.#v.set(key, tf.variable(t, false));
  }

  dispose(): void {
    for (const t of [...this.#m.values(), ...this.#v.values()]) t.dispose();
    this.#m.clear();
    this.#v.clear();
  }

  #moment(moments: Map<string, tf.Variable>, key: string, like: tf.Variable): tf.Variable {
    let moment = moments.get(key);
    if (!moment) {
      moment = tf.variable(tf.zerosLike(like), false);
      moments.set(key, moment);
    }
    return moment;
  }
}
