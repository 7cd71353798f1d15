import { describe, expect, it } from 'vitest';
import { parseTorchReport, torchInstallHint } from './torch.js';

describe('parseTorchReport', () => {
  it('says how to install PyTorch when peer.py could not import it', () => {
    expect(parseTorchReport('{"available": false, "reason": "No module named \'torch\'"}\n')).toEqual({
      available: false,
      reason: `not installed (${torchInstallHint})`,
    });
    expect(torchInstallHint).toBe('apt-get install python3-torch libopenblas0-pthread');
  });

  it('reads the last line as the report, after anything torch printed first', () => {
    const report = parseTorchReport(
      'a warning\n{"available": true, "version": "1.13.1", "defaultThreads": 1, "cores": 2, "blas": [], ' +
        '"openblasThreadsSet": true, "runs": [{"threads": 1, "results": {"matmul_256": ' +
        '{"medianMs": 0.5, "minMs": 0.4, "reps": 10, "warmups": 3, "capped": false}}}]}\n',
    );
    expect(report.available).toBe(true);
    expect(report.available && report.runs[0]!.results.matmul_256!.medianMs).toBe(0.5);
  });

  it('reports output that is not JSON as a failure', () => {
    expect(parseTorchReport('Segmentation fault')).toEqual({
      available: false,
      reason: 'failed: peer.py printed no JSON (Segmentation fault)',
    });
  });
});
