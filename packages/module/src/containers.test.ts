import { tensor } from '@strata/tensor';
import { describe, expect, it } from 'vitest';
import { ModuleDict, ModuleList, Sequential } from './containers.js';
import { type Module } from './module.js';
import { Identity, Linear, ReLU, Scale, Tanh } from './module-test-support.js';

const names = (module: Module): string[] => module.namedChildren().map(([name]) => name);

describe('Sequential', () => {
  it('chains forward through its children in order', () => {
    const net = new Sequential(new Scale(2), new ReLU(), new Scale(3));
    // relu(2x) * 3
    expect(net.forward(tensor([-1, 0.5, 2])).tolist()).toEqual([0, 3, 12]);
    expect(new Sequential().forward(tensor([1, 2])).tolist()).toEqual([1, 2]);
  });

  it('names children by index or by the keys of a record or Map, and indexes them', () => {
    const first = new Scale(1);
    const second = new Scale(2);
    const indexed = new Sequential(first, second);
    expect(names(indexed)).toEqual(['0', '1']);
    expect(indexed.length).toBe(2);
    expect(indexed.at(0)).toBe(first);
    expect(indexed.at(-1)).toBe(second);
    expect([...indexed]).toEqual([first, second]);
    const named = new Sequential({ encoder: first, activation: new ReLU() });
    expect(names(named)).toEqual(['encoder', 'activation']);
    expect(named.at(0)).toBe(first);
    expect(names(new Sequential(new Map([['b', first], ['a', second]])))).toEqual(['b', 'a']);
    expect(named.toString()).toBe('Sequential(\n  (encoder): Scale(factor=1)\n  (activation): ReLU()\n)');
  });

  it('appends, extends, inserts and pops with PyTorch numbering', () => {
    const [a, b, c, d] = [new Scale(1), new Scale(2), new Scale(3), new Scale(4)];
    const net = new Sequential(a).append(b).extend([c]);
    expect([...net]).toEqual([a, b, c]);
    net.insert(1, d);
    expect(names(net)).toEqual(['0', '1', '2', '3']);
    expect([...net]).toEqual([a, d, b, c]);
    net.insert(-1, new Identity());
    expect([...net].map((module) => module.getName())).toEqual(['Scale', 'Scale', 'Scale', 'Identity', 'Scale']);
    expect(net.pop(0)).toBe(a);
    expect(names(net)).toEqual(['0', '1', '2', '3']);
    expect(net.at(0)).toBe(d);
    expect(net.pop()).toBe(c);
    expect(net.length).toBe(3);
    expect(net.forward(tensor([1])).tolist()).toEqual([8]);
  });

  it('keeps a module listed twice twice in forward and length, once in parameters', () => {
    const shared = new Scale(3);
    const net = new Sequential(shared, shared);
    expect(net.length).toBe(2);
    expect(net.forward(tensor([1])).tolist()).toEqual([9]);
    expect(net.children()).toEqual([shared]);
  });

  it('rejects bad modules and indices', () => {
    const net = new Sequential(new ReLU());
    expect(() => net.at(1)).toThrow(new RangeError('Sequential.at: index 1 is out of range for 1 modules'));
    expect(() => net.at(-2)).toThrow(new RangeError('Sequential.at: index -2 is out of range for 1 modules'));
    expect(() => net.insert(3, new ReLU())).toThrow(new RangeError('Sequential.insert: index 3 is out of range for 1 modules'));
    expect(() => new Sequential(tensor([1]) as unknown as Module)).toThrow(new TypeError('Sequential: expected a Module, got Tensor'));
    expect(() => net.append({} as Module)).toThrow(new TypeError('Sequential.append: expected a Module, got object'));
    expect(() => new Sequential().pop()).toThrow(new RangeError('Sequential.pop: index -1 is out of range for 0 modules'));
  });
});

describe('ModuleList', () => {
  it('registers its modules so the owner sees their parameters', () => {
    const list = new ModuleList([new Linear(2, 3), new ReLU(), new Linear(3, 1)]);
    expect(list.namedParameters().map(([name]) => name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(list.length).toBe(3);
    expect(list.at(-1).getName()).toBe('Linear');
    expect([...list].map((module) => module.getName())).toEqual(['Linear', 'ReLU', 'Linear']);
  });

  it('appends, extends, inserts, replaces and pops, keeping indices 0..n-1', () => {
    const [a, b, c] = [new Scale(1), new Scale(2), new Scale(3)];
    const list = new ModuleList().append(a).extend([b]);
    list.insert(0, c);
    expect([...list]).toEqual([c, a, b]);
    expect(names(list)).toEqual(['0', '1', '2']);
    const d = new Tanh();
    list.set(-1, d);
    expect([...list]).toEqual([c, a, d]);
    expect(list.pop(1)).toBe(a);
    expect([...list]).toEqual([c, d]);
    expect(names(list)).toEqual(['0', '1']);
    expect(list.toString()).toBe('ModuleList(\n  (0): Scale(factor=3)\n  (1): Tanh()\n)');
  });

  it('has no forward and rejects bad input', () => {
    const list = new ModuleList([new ReLU()]);
    expect(() => list.forward()).toThrow('ModuleList: a ModuleList has no forward(); iterate over its modules and call them');
    expect(() => list.at(2)).toThrow(new RangeError('ModuleList.at: index 2 is out of range for 1 modules'));
    expect(() => list.extend(3 as unknown as Module[])).toThrow(new TypeError('ModuleList.extend: expected an iterable of modules, got number'));
    expect(() => list.set(5, new ReLU())).toThrow(new RangeError('ModuleList.set: index 5 is out of range for 1 modules'));
  });
});

describe('ModuleDict', () => {
  it('keeps insertion order for any key, integer-like ones included', () => {
    const dict = new ModuleDict([['10', new ReLU()], ['2', new Tanh()], ['conv', new Identity()]]);
    expect(dict.keys()).toEqual(['10', '2', 'conv']);
    expect(names(dict)).toEqual(['10', '2', 'conv']);
    expect(dict.size).toBe(3);
  });

  it('gets, sets, checks, deletes and iterates like a Map', () => {
    const relu = new ReLU();
    const dict = new ModuleDict({ act: relu, head: new Linear(2, 1) });
    expect(dict.get('act')).toBe(relu);
    expect(dict.has('head')).toBe(true);
    expect(dict.has('nothing')).toBe(false);
    const tanh = new Tanh();
    dict.set('act', tanh);
    expect(dict.keys()).toEqual(['act', 'head']);
    expect(dict.values()[0]).toBe(tanh);
    expect([...dict].map(([key]) => key)).toEqual(['act', 'head']);
    expect(Object.keys(dict.stateDict())).toEqual(['head.weight', 'head.bias']);
    expect(dict.delete('act')).toBe(true);
    expect(dict.delete('act')).toBe(false);
    expect(dict.entries().map(([key]) => key)).toEqual(['head']);
    dict.update(new Map([['z', new ReLU()]]));
    expect(dict.keys()).toEqual(['head', 'z']);
    dict.clear();
    expect(dict.size).toBe(0);
    expect(dict.parameters()).toEqual([]);
  });

  it('has no forward and reports a missing key', () => {
    const dict = new ModuleDict({ a: new ReLU() });
    expect(() => dict.forward()).toThrow('ModuleDict: a ModuleDict has no forward(); get a module by key and call it');
    expect(() => dict.get('b')).toThrow(new RangeError("ModuleDict.get: no module under key 'b' (keys: 'a')"));
    expect(() => dict.set('a', 1 as unknown as Module)).toThrow(new TypeError('ModuleDict.set: expected a Module, got number'));
  });
});
