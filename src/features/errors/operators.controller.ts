// An operator's page: their evaluations, scores over time, errors and corrective actions.
import type { Request, Response } from 'express';
import type { AppDeps } from '../../app-context';
import { idParam } from '../../http/guards';
import * as service from './errors.service';

export function operatorsController(deps: AppDeps) {
  return {
    async show(req: Request, res: Response) {
      const data = await service.operatorPage(deps.db, req.user!, idParam(req), deps.clock);
      res.renderPage('operators/show', { title: data.operator.fullName, ...data, scripts: ['errors'] });
    },
  };
}
