/**
 * Remembers whether a WebGPU device has been lost. `device.lost` resolves a task after the loss
 * (destroy() included), so after a failed run `settle()` gives it a moment before deciding.
 */
export class DeviceWatch {
  private reason: string | null = null;

  constructor(readonly device: GPUDevice) {
    void device.lost.then((info) => {
      this.reason = info.message || info.reason || 'unknown reason';
    });
  }

  get lostReason(): string | null {
    return this.reason;
  }

  async settle(ms = 200): Promise<string | null> {
    await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, ms))]);
    return this.reason;
  }
}
